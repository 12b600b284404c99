import { AppError } from "../lib/errors";
import type { ByteRange } from "./blob-store";

/**
 * The one byte range a download's Range header asks for (`bytes=0-99`, `bytes=100-`, `bytes=-100`), or null
 * to send the whole file: no header, another unit, several ranges, or a malformed one (which HTTP lets a
 * server ignore). A range that starts past the end is refused with 416.
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start: number;
  let end: number;
  if (m[1] === "") {
    // The last N bytes.
    const n = Number(m[2]);
    if (n === 0) throw unsatisfiable(size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return null;
  }
  if (start >= size) throw unsatisfiable(size);
  return { start, end };
}

const unsatisfiable = (size: number) =>
  new AppError("range_not_satisfiable", `The file has ${size} bytes: the range asked for lies outside it.`, {
    size,
  });
