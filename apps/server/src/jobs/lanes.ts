/**
 * A worker's job slots split by kind of work, so one kind never waits behind another's backlog: agents'
 * replies go out while thousands of notifications, a digest run or a bulk action are still queued. Each lane
 * claims only its job types (SQL LIKE patterns on `jobs.type`) up to its own concurrency; the last lane has
 * no patterns and takes every type the others don't name.
 */
export interface JobLane {
  name: string;
  concurrency: number;
  /** LIKE patterns on the job type; empty for the lane of every other type. */
  types: readonly string[];
}

export const JOB_LANES: readonly JobLane[] = [
  // Sending agents' replies and marking a conversation seen on the provider: what an agent waits for.
  { name: "replies", concurrency: 8, types: ["message.send", "conversation.mark_seen"] },
  // Agent notifications (fan-out, email, push, digests), alerts, account emails, task reminders.
  { name: "notifications", concurrency: 4, types: ["notify.%", "alerts.%", "account.%", "task.%"] },
  // Downloading customers' files from the providers: a stalled provider never holds replies or other work.
  { name: "media", concurrency: 4, types: ["media.%"] },
  // Giving new conversations to agents: a conversation waits for its agent no longer than the queue ahead.
  { name: "distribution", concurrency: 2, types: ["distribution.%"] },
  // Bulk actions over many conversations.
  { name: "bulk", concurrency: 2, types: ["conversations.bulk"] },
  // Everything else: contact profiles, removing files.
  { name: "other", concurrency: 2, types: [] },
];
