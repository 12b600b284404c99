import { AppError } from "../lib/errors";

/** Turns a unique-constraint violation (SQLSTATE 23505) into a 409 with a message a person can act on. */
export function uniqueViolation(message: string) {
  return (err: unknown): never => {
    if ((err as { code?: string }).code === "23505") throw new AppError("conflict", message);
    throw err;
  };
}
