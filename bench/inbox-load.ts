/** The set-based load of bench:inbox: one workspace's contacts, identities, conversations, messages and tags. */
import type { Db } from "../apps/server/src/db/client";

const FIRST = [
  "Анна",
  "Мария",
  "Иван",
  "Олег",
  "Олена",
  "Тарас",
  "John",
  "Emma",
  "Sofia",
  "Дмитрий",
  "Наталья",
  "Peter",
];
const LAST = [
  "Иванова",
  "Петренко",
  "Смирнов",
  "Коваленко",
  "Шевченко",
  "Smith",
  "Brown",
  "Кузнецова",
  "Бондаренко",
  "Miller",
];
const WORDS = [
  "доставка",
  "заказ",
  "оплата",
  "возврат",
  "товар",
  "курьер",
  "адрес",
  "скидка",
  "размер",
  "цвет",
  "привет",
  "спасибо",
  "подскажите",
  "когда",
  "будет",
  "доставку",
  "заказа",
  "оплату",
  "замовлення",
  "доставки",
  "оплата",
  "дякую",
  "вітаю",
  "order",
  "delivery",
  "payment",
  "refund",
  "tracking",
  "number",
  "please",
  "thanks",
  "where",
  "size",
  "color",
];
const sqlArray = (xs: string[]) => `array[${xs.map((x) => `'${x}'`).join(",")}]`;

/** The tables the load fills: their secondary indexes are dropped before and built once after (much faster). */
const LOADED = ["contacts", "contact_identities", "conversations", "messages"];

/** Drops the indexes of the loaded tables that nothing depends on (not constraints): their definitions, to rebuild. */
async function dropIndexes(db: Db) {
  const rows = await db.query<{ name: string; def: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
     from pg_index i
     where i.indrelid = any($1::regclass[]) and not i.indisprimary
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [LOADED],
  );
  const dropped: string[] = [];
  for (const r of rows) {
    try {
      await db.query(`drop index ${r.name}`);
      dropped.push(r.def);
    } catch {
      // Something depends on it (e.g. a foreign key's unique index): it stays and is maintained row by row.
    }
  }
  return dropped;
}

/** Runs a set-based statement over [0, total) in chunks of `step` (one statement each), printing progress. */
async function chunked(
  label: string,
  total: number,
  step: number,
  run: (from: number, to: number) => Promise<unknown>,
) {
  for (let from = 0; from < total; from += step) {
    const t0 = performance.now();
    await run(from, Math.min(total, from + step));
    if (total > step)
      console.log(
        `    ${label} ${Math.min(total, from + step).toLocaleString()} / ${total.toLocaleString()} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
  }
}

/** Set-based load of one workspace: contacts, identities, conversations, messages, tags. */
export async function bulkLoad(
  db: Db,
  w: { workspaceId: string; connectionId: string; userIds: string[] },
  CONVERSATIONS: number,
  MESSAGES: number,
) {
  const t0 = performance.now();
  const { workspaceId, connectionId, userIds } = w;
  // Secondary indexes are built once after the load instead of row by row (same definitions, read from the catalogue).
  // Only when the load is most of the data: rebuilding a loaded database's indexes for a small load costs more.
  const [had] = await db.query<{ n: number }>(
    "select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'messages'::regclass",
  );
  const indexes = (had?.n ?? 0) < MESSAGES ? await dropIndexes(db) : [];
  const STEP = 250_000;
  await chunked("contacts", CONVERSATIONS, STEP, (from, to) =>
    db.query(
      `insert into contacts (workspace_id, name, nickname, email, phone, created_at)
       select $1, (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (g / 7) % ${LAST.length}] || ' ' || g,
         'nick' || g, 'client' || g || '@mail.example', '+7900' || lpad(g::text, 7, '0'), now() - interval '120 days'
       from generate_series($2::int, $3::int) g`,
      [workspaceId, from + 1, to],
    ),
  );
  await db.query(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id)
     select $1, id, $2, 'bench-' || id from contacts where workspace_id = $1`,
    [workspaceId, connectionId],
  );
  // Spread over 90 days; 70 % closed, 20 % open, 10 % in progress; three quarters shared by three people, the rest queued;
  // open ones whose last message is the customer's are waiting.
  await db.query(
    `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, status, assignee_id,
       created_at, closed_at, last_activity_at, first_unanswered_at, last_customer_message_at,
       last_message_preview, last_message_author, last_message_direction, last_outbound_state)
     select $1, 1000 + n, $2, contact_id, id,
       case when n % 10 < 7 then 'closed' when n % 10 < 9 then 'open' else 'in_progress' end,
       case when n % 4 < 3 then ($3::uuid[])[1 + (n / 10) % 3] else null end,
       at - interval '2 days', case when n % 10 < 7 then at else null end, at,
       case when n % 10 >= 7 and n % 3 <> 0 then at else null end, at,
       'last message ' || n, case when n % 3 <> 0 then 'contact' else 'user' end,
       case when n % 3 <> 0 then 'inbound' else 'outbound' end, case when n % 3 = 0 then 'delivered' else null end
     from (select i.id, i.contact_id, row_number() over (order by i.id) as n,
             now() - (random() * interval '90 days') as at
           from contact_identities i where i.workspace_id = $1) s`,
    [workspaceId, connectionId, userIds],
  );
  await db.query(
    `create temp table bench_conv as
     select id, created_at, (row_number() over (order by id)) - 1 as rn from conversations where workspace_id = $1`,
    [workspaceId],
  );
  await db.query("create unique index on bench_conv (rn)");
  await db.query("analyze bench_conv");
  await chunked("messages", MESSAGES, STEP * 4, (from, to) =>
    db.query(
      `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id,
         text, created_at)
       select $1, c.id, $2, case when g % 2 = 0 then 'inbound' else 'outbound' end, 'message',
         case when g % 2 = 0 then 'contact' else 'user' end, case when g % 2 = 0 then null else $3::uuid end,
         w[1 + (g * 7) % ${WORDS.length}] || ' ' || w[1 + (g * 13) % ${WORDS.length}] || ' №' || (g % 100000) || ', ' ||
           w[1 + (g * 17) % ${WORDS.length}] || ' ' || w[1 + (g * 31) % ${WORDS.length}] || ' ' || w[1 + (g / 3) % ${WORDS.length}]
           || case when g % 50000 = 0 then ' уникальныйтовар' else '' end,
         c.created_at + (g / $5::int) * interval '1 minute'
       from generate_series($4::int, $6::int - 1) g join bench_conv c on c.rn = g % $5::int,
         (select ${sqlArray(WORDS)} as w) words`,
      [workspaceId, connectionId, userIds[0], from, CONVERSATIONS, to],
    ),
  );
  await db.query(
    `update conversations c set last_inbound_seq = m.seq from (
       select conversation_id, max(seq) as seq from messages where workspace_id = $1 and direction = 'inbound' group by 1
     ) m where m.conversation_id = c.id`,
    [workspaceId],
  );
  const loadedAt = performance.now();
  for (const def of indexes) await db.query(def);
  const indexSeconds = (performance.now() - loadedAt) / 1000;
  await db.query("drop table bench_conv");
  await db.query(
    `insert into tags (workspace_id, name, color) select $1, 'tag ' || g, '#1c7ed6' from generate_series(1, 10) g`,
    [workspaceId],
  );
  await db.query(
    `insert into contact_tags (contact_id, tag_id, workspace_id, pinned)
     select c.id, t.id, $1, (abs(hashtext(c.id::text)) % 4 = 0)
     from contacts c join tags t on t.workspace_id = $1 and t.name = 'tag ' || (1 + abs(hashtext(c.id::text)) % 10)
     where c.workspace_id = $1 and abs(hashtext(c.id::text || 'x')) % 5 = 0`,
    [workspaceId],
  );
  // Vacuum too: it sets the visibility map, as autovacuum would on a live database, so index-only scans work.
  for (const t of [...LOADED, "contact_tags"]) await db.query(`vacuum (analyze) ${t}`);
  return { seconds: (performance.now() - t0) / 1000, indexSeconds };
}
