/** The agent's day, smoothed: seen-by, the status control, network profile links, the tasks calendar, required fields. */
export const enAgentDay2 = {
  agentDay2: {
    seenBy: { count_one: "Seen by {{count}}", count_other: "Seen by {{count}}" },
    status: {
      current: "Status: {{status}}. Change the status",
      set: "Set the status",
      close: "Close",
      reopen: "Reopen",
      closeHint: "Close the conversation: a new message opens it again",
      reopenHint: "Open the conversation again",
    },
    profile: {
      short: "Profile",
      open: "{{address}}, opens in a new tab",
      title: "Network profiles",
      none: "This network gives no profile link.",
    },
    calendar: {
      view: "Show tasks as",
      views: { list: "List", month: "Month", week: "Week" },
      today: "Today",
      previous: { month: "Previous month", week: "Previous week" },
      next: { month: "Next month", week: "Next week" },
      empty: "Nothing planned in these days.",
      more_one: "+{{count}} more",
      more_other: "+{{count}} more",
      allDay: "All day",
      kind: { task: "Task", event: "Event", reminder: "Reminder" },
      open: "open the conversation",
    },
    form: { required: "{{field}} is required." },
  },
};
