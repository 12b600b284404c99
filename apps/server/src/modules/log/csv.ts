/** The byte-order mark that makes spreadsheet programs read the file as UTF-8. */
export const BOM = "\uFEFF";

/**
 * What a spreadsheet program may take for the start of a formula (OWASP "CSV injection"): `=`, `+`, `-`,
 * `@`, a tab or a carriage return. A text cell starting with one of them gets a leading `'`, so that
 * spreadsheet programs take it as text instead of running it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, a comma or a line break; quotes doubled.
 * null and undefined are empty fields; dates are ISO 8601 in UTC. Text that a spreadsheet would run as a
 * formula (a customer's message `=HYPERLINK(…)`, a phone number `+7…`) is neutralised with a leading `'`;
 * numbers and dates are written as they are.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s: string;
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === "string") s = FORMULA_START.test(v) ? `'${v}` : v;
  else s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record, CRLF-terminated. */
export const csvRow = (fields: readonly unknown[]) => `${fields.map(csvField).join(",")}\r\n`;

/** A reply to send a download through (any route's Fastify reply). */
interface DownloadReply {
  header(name: string, value: string): unknown;
  send(payload?: unknown): unknown;
}

/** A CSV download: the UTF-8 BOM and the rows (a header first), or a stream already holding them. */
export function sendCsv(
  reply: DownloadReply,
  filename: string,
  body: readonly unknown[][] | NodeJS.ReadableStream,
) {
  reply.header("content-type", "text/csv; charset=utf-8");
  reply.header("content-disposition", `attachment; filename="${filename}"`);
  reply.header("cache-control", "no-store");
  return reply.send(Array.isArray(body) ? BOM + body.map(csvRow).join("") : body);
}
