/** The byte-order mark that makes spreadsheet programs read the file as UTF-8. */
export const BOM = "\uFEFF";

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, a comma or a line break; quotes doubled.
 * null and undefined are empty fields; dates are ISO 8601 in UTC.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : typeof v === "string" ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record, CRLF-terminated. */
export const csvRow = (fields: readonly unknown[]) => `${fields.map(csvField).join(",")}\r\n`;
