/** Stable error codes of the API and the HTTP status each maps to. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_signature: 401,
  csrf_failed: 403,
  forbidden: 403,
  /** A dangerous action needs the caller to prove who they are again (password or code): POST /api/auth/step-up. */
  step_up_required: 403,
  /** The workspace requires two-factor sign-in for the caller's role and they have not set it up yet. */
  two_factor_enrolment_required: 403,
  not_found: 404,
  conflict: 409,
  already_set_up: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A download's Range lies outside the file. */
  range_not_satisfiable: 416,
  unprocessable: 422,
  contact_blocked: 422,
  window_closed: 422,
  unsubscribed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
