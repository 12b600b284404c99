import crypto from "node:crypto";
import pg from "pg";
import { createDatabaseFrom, databaseUrl, dropDatabase } from "../apps/server/src/testing/postgres-admin";
import { type CpuSample, cpuMeter, perUnit, totalMs } from "./cpu";
import { fmt } from "./ingest-harness";

/**
 * What an ingested message's database work costs at least: a bare loop that writes a message's three rows on
 * Parley's own schema and data — its row in `messages` (provider id checked for a retry, as a webhook needs),
 * its conversation's list fields updated, and its event, a copy of a real `message.created` event of the
 * benchmark's — `batch` messages a transaction, with named prepared statements and nothing else: no HTTP, no
 * signature, no validation, no locks taken ahead, no sockets. The CPU is the loop's process and PostgreSQL's,
 * like the bare INSERT's (bench/insert-baseline.ts).
 */

const INSERT_MESSAGES = `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type,
    author_id, text, provider_message_id, created_at)
  select $1, u.conversation_id, u.connection_id, 'inbound', 'message', 'contact', u.contact_id, u.text, u.provider_id, $6
  from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $7::text[])
    as u(conversation_id, connection_id, contact_id, text, provider_id)
  on conflict (connection_id, provider_message_id) where provider_message_id is not null do nothing
  returning id, seq, conversation_id, text`;

const UPDATE_CONVERSATIONS = `update conversations c set last_activity_at = $1, updated_at = $1,
    last_message_id = v.message_id, last_message_preview = v.text, last_message_author = 'contact',
    last_message_direction = 'inbound', last_inbound_seq = v.seq, last_customer_message_at = $1,
    first_unanswered_at = coalesce(c.first_unanswered_at, $1)
  from unnest($2::uuid[], $3::uuid[], $4::text[], $5::int8[]) as v(id, message_id, text, seq)
  where c.id = v.id`;

const APPEND_EVENTS = `with s as (update workspaces set event_seq = event_seq + $2 where id = $1
    returning event_seq - $2 as base)
  insert into events (workspace_id, seq, type, conversation_id, audience, payload, created_at)
  select $1, s.base + p.ord, 'message.created', p.conversation_id, p.audience, p.payload, $5
  from s, rows from (unnest($3::uuid[]), json_array_elements($4::json), json_array_elements($6::json))
    with ordinality as p(conversation_id, payload, audience, ord)`;

export interface RowsFloor {
  batch: number;
  rate: number;
  cpuPerMessage: CpuSample;
  /** The size of the event written per message (a copy of a real one). */
  eventBytes: number;
}

/**
 * Runs the loop once per batch size, about `messages` messages each, into the conversations of `connectionId`.
 * A failure is printed and gives no figures: the rest of the benchmark's results still stand.
 */
export async function rowsFloor(
  url: string,
  postmaster: number,
  connectionId: string,
  batches: number[],
  messages: number,
): Promise<RowsFloor[]> {
  try {
    return await measureRows(url, postmaster, connectionId, batches, messages);
  } catch (err) {
    console.log(`\nThe rows floor could not run: ${(err as Error).message}`);
    return [];
  }
}

interface FloorData {
  workspaceId: string;
  conversations: { id: string; connection_id: string; contact_id: string }[];
  sample: { payload: string; audience: string };
}

async function floorData(client: pg.Client, connectionId: string): Promise<FloorData> {
  const workspaceId = (
    await client.query<{ workspace_id: string }>(
      "select workspace_id from channel_connections where id = $1",
      [connectionId],
    )
  ).rows[0]?.workspace_id;
  const conversations = (
    await client.query<{ id: string; connection_id: string; contact_id: string }>(
      "select id, connection_id, contact_id from conversations where connection_id = $1 order by id",
      [connectionId],
    )
  ).rows;
  const [sample] = (
    await client.query<{ payload: string; audience: string }>(
      `select payload::text, audience::text from events where workspace_id = $1 and type = 'message.created'
       order by seq desc limit 1`,
      [workspaceId],
    )
  ).rows;
  if (!workspaceId || conversations.length === 0 || !sample)
    throw new Error("the rows floor needs the benchmark's conversations and events");
  return { workspaceId, conversations, sample };
}

/** Writes about `messages` messages, `wanted` a transaction, and measures the CPU. */
async function writeRows(
  client: pg.Client,
  data: FloorData,
  meter: ReturnType<typeof cpuMeter>,
  wanted: number,
  messages: number,
): Promise<RowsFloor> {
  const { workspaceId, conversations, sample } = data;
  // One message per conversation in a transaction, as the benchmark's batches mostly are.
  const batch = Number.isFinite(wanted) ? Math.max(1, Math.min(wanted, conversations.length)) : 1;
  const cpu0 = meter.sample();
  const t0 = performance.now();
  let done = 0;
  while (done < messages) {
    const now = new Date();
    const picked = Array.from({ length: batch }, (_, i) => conversations[(done + i) % conversations.length]!);
    const texts = picked.map(() => `message ${written++}`);
    done += batch;
    await client.query("begin");
    const inserted = await client.query<{
      id: string;
      seq: string;
      conversation_id: string;
      text: string;
    }>({
      name: "floor.insert",
      text: INSERT_MESSAGES,
      values: [
        workspaceId,
        picked.map((c) => c.id),
        picked.map((c) => c.connection_id),
        picked.map((c) => c.contact_id),
        texts,
        now,
        texts.map((t) => `floor-${t}`),
      ],
    });
    const rows = inserted.rows;
    if (rows.length !== batch) throw new Error(`the rows floor inserted ${rows.length} of ${batch} messages`);
    await client.query({
      name: "floor.update",
      text: UPDATE_CONVERSATIONS,
      values: [
        now,
        rows.map((r) => r.conversation_id),
        rows.map((r) => r.id),
        rows.map((r) => r.text),
        rows.map((r) => r.seq),
      ],
    });
    await client.query({
      name: "floor.append",
      text: APPEND_EVENTS,
      values: [
        workspaceId,
        rows.length,
        rows.map((r) => r.conversation_id),
        `[${rows.map(() => sample.payload).join(",")}]`,
        now,
        `[${rows.map(() => sample.audience).join(",")}]`,
      ],
    });
    await client.query("commit");
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = meter.since(cpu0);
  return {
    batch,
    rate: done / seconds,
    cpuPerMessage: { app: cpu.app / done, db: cpu.db / done },
    eventBytes: Buffer.byteLength(sample.payload),
  };
}

/** Numbers the floor's messages across runs: each provider id is new. */
let written = 0;

async function measureRows(
  url: string,
  postmaster: number,
  connectionId: string,
  batches: number[],
  messages: number,
): Promise<RowsFloor[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const data = await floorData(client, connectionId);
    const meter = cpuMeter(null, postmaster);
    const out: RowsFloor[] = [];
    for (const wanted of batches) out.push(await writeRows(client, data, meter, wanted, messages));
    return out;
  } finally {
    await client.end();
  }
}

export interface FloorTrial {
  /** What the rows were written without ("" for the schema as it is). */
  without: string;
  floor: RowsFloor;
}

/**
 * What the schema's own indexes cost a message: the rows floor at one batch size, a transaction a batch as
 * above, on a copy of the benchmark's database (`create database … template`, under a name of its own,
 * dropped afterwards: the database itself is left as it was). After a first pass that is not counted (it
 * reads the copy's pages and takes the first writes after the copy), three: as the schema is; without the
 * conversations' indexes that back no unique key (the inbox's lists, filters and counts, and the look-ups by
 * contact, assignee and due time, in each of which every message's conversation update writes an entry;
 * without them the update can also be a HOT update, which writes no entry in the unique ones either); and
 * without the messages' search vector too (its column, computed from each message's text, and its full-text
 * index). Copying, dropping indexes and a column need the owner of the database (or a superuser), a
 * maintenance database named `postgres`, and no other session on the benchmark's database; a failure is
 * printed, with the passes measured before it.
 */
export async function floorTrials(
  url: string,
  postmaster: number,
  connectionId: string,
  batch: number,
  messages: number,
): Promise<FloorTrial[]> {
  const out: FloorTrial[] = [];
  let maintenance: string | null = null;
  let copy: string | null = null;
  try {
    const original = decodeURIComponent(new URL(url).pathname.slice(1));
    // Copied from the server's maintenance database: the benchmark's own must have no session meanwhile.
    maintenance = databaseUrl(url, "postgres");
    const name = `parley_floor_trials_${crypto.randomBytes(6).toString("hex")}`;
    if (name === original) throw new Error("the copy would have the benchmark database's name");
    await createDatabaseFrom(maintenance, name, original);
    copy = name;
    const client = new pg.Client({ connectionString: databaseUrl(url, copy) });
    await client.connect();
    try {
      const data = await floorData(client, connectionId);
      const meter = cpuMeter(null, postmaster);
      const write = () => writeRows(client, data, meter, batch, messages);
      await write();
      out.push({ without: "", floor: await write() });
      const lists = (
        await client.query<{ name: string }>(
          `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
           where i.indrelid = 'conversations'::regclass and not i.indisunique`,
        )
      ).rows;
      for (const { name } of lists) await client.query(`drop index ${pg.escapeIdentifier(name)}`);
      out.push({ without: `the conversations' ${lists.length} non-unique indexes`, floor: await write() });
      await client.query("alter table messages drop column search_tsv cascade");
      out.push({ without: "those and the messages' search vector", floor: await write() });
    } finally {
      await client.end();
    }
  } catch (err) {
    console.log(`\nThe rows floor's trials could not run to the end: ${(err as Error).message}`);
  } finally {
    if (maintenance && copy) {
      const made = copy;
      await dropDatabase(maintenance, made).catch((err) =>
        console.log(`  the trials' copy ${made} could not be dropped: ${(err as Error).message}`),
      );
    }
  }
  return out;
}

export function printTrials(kind: string, trials: FloorTrial[]) {
  const [as] = trials;
  if (!as) return;
  const cost = (t: FloorTrial) => totalMs(t.floor.cpuPerMessage);
  console.log(
    `\nFloor trials on ${kind}: the same rows, ${fmt(as.floor.batch)} a transaction, on a copy of the database dropped afterwards`,
  );
  const head = ["rows written", "messages/s", "CPU ms per message", "saved"];
  console.log(
    `  ${head[0]!.padEnd(52)}  ${head[1]!.padStart(10)}  ${head[2]!.padEnd(33)}  ${head[3]!.padStart(8)}`,
  );
  for (const t of trials)
    console.log(
      `  ${(t.without ? `without ${t.without}` : "as the schema is").padEnd(52)}  ${fmt(t.floor.rate).padStart(10)}  ${perUnit(t.floor.cpuPerMessage, 1).padEnd(33)}  ${t === as ? "".padStart(8) : `${fmt(cost(as) - cost(t), 3)} ms`.padStart(8)}`,
    );
}

export function printFloors(kind: string, floors: RowsFloor[]) {
  if (floors.length === 0) return;
  console.log(
    `\nFloor: a message's own rows on ${kind}, written by a bare loop (its message, its conversation's update, its event of ${floors[0]!.eventBytes} bytes; no HTTP, no sockets)`,
  );
  console.log("  per transaction  messages/s  CPU ms per message");
  for (const f of floors)
    console.log(
      `  ${fmt(f.batch).padStart(15)}  ${fmt(f.rate).padStart(10)}  ${perUnit(f.cpuPerMessage, 1)}`,
    );
}

/** The summary's comparison of a step with its rows floor plus a bare HTTP request, when the floor ran. */
export function withRows(rows: RowsFloor | undefined, request: number, insert: number, perMessage: number) {
  if (!rows) return "";
  const own = totalMs(rows.cpuPerMessage);
  const floor = request + own;
  return `; with the message's own rows instead of the bare INSERT (${fmt(rows.batch)} a transaction, ${fmt(own, 3)} ms) the floor is ${fmt(floor, 3)} ms = ${fmt(floor / insert, 2)}× the bare INSERT, and the message costs ${fmt(perMessage / floor, 2)}× it`;
}

/**
 * The peak's yardstick: how fast a bare loop writes a message's own rows alone (one connection, no HTTP, no
 * sockets), at the batch size of the peak's step, as a share of the bare INSERT loop's rate.
 */
export function rowsRate(rows: RowsFloor | undefined, insertRate: number) {
  if (!rows) return "";
  return `; a bare loop writing only a message's own rows (${fmt(rows.batch)} a transaction) reached ${fmt(rows.rate)} msg/s = ${fmt(rows.rate / insertRate, 2)}× the bare INSERT loop`;
}
