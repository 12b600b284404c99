import { ERROR_STATUS, type ErrorCode } from "@parley/protocol";

/** The one error type of the application: a stable code, a message a person can act on, optional details. */
export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} was not found.`);
export const forbidden = (message: string) => new AppError("forbidden", message);
export const conflict = (message: string) => new AppError("conflict", message);
export const badRequest = (message: string, details?: unknown) =>
  new AppError("bad_request", message, details);
