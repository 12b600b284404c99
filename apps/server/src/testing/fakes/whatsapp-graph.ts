import crypto from "node:crypto";
import type http from "node:http";

/** The Cloud API as the WhatsApp fake answers it: injectable errors, Graph's error envelope, webhook envelopes. */

export interface InjectedError {
  status: number;
  code: number;
  message: string;
  details?: string;
  headers?: Record<string, string>;
}

/** Graph's usual answers for the codes tests inject (HTTP status, message, details). */
export const GRAPH_ERRORS: Record<number, InjectedError> = {
  4: { status: 400, code: 4, message: "(#4) Application request limit reached" },
  100: { status: 400, code: 100, message: "(#100) Invalid parameter" },
  190: {
    status: 401,
    code: 190,
    message: "Error validating access token: Session has expired.",
  },
  130429: {
    status: 400,
    code: 130429,
    message: "(#130429) Rate limit hit",
    details: "Cloud API message throughput has been reached.",
  },
  131000: { status: 500, code: 131000, message: "(#131000) Something went wrong" },
  131026: {
    status: 400,
    code: 131026,
    message: "(#131026) Message Undeliverable",
    details: "Unable to deliver message.",
  },
  131047: {
    status: 400,
    code: 131047,
    message: "(#131047) Re-engagement message",
    details:
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
  },
  131056: {
    status: 400,
    code: 131056,
    message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    details:
      "Too many messages sent from this phone number to the same phone number in a short period of time.",
  },
};

/**
 * Account- and number-level errors Meta sends as `value.errors[]` (Cloud API error codes; titles as Meta
 * words them), for `accountErrors()`.
 */
export const ACCOUNT_ERRORS: Record<number, { title: string; message: string; details: string }> = {
  131042: {
    title: "Business eligibility payment issue",
    message: "Business eligibility payment issue",
    details: "Message failed to send because there were one or more errors related to your payment method.",
  },
  131031: {
    title: "Account has been locked",
    message: "Account has been locked",
    details:
      "The business account was restricted or disabled for a violation of a platform policy, or the number's data could not be verified.",
  },
  368: {
    title: "Temporarily blocked for policies violations",
    message: "Temporarily blocked for policies violations",
    details: "The WhatsApp Business Account associated with the app has been restricted or disabled.",
  },
  131056: {
    title: "(Business Account, Consumer Account) pair rate limit hit",
    message: "(Business Account, Consumer Account) pair rate limit hit",
    details:
      "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
  },
};

/** Answers with Graph's error envelope. */
export const graphError = (res: http.ServerResponse, e: InjectedError) => {
  res.writeHead(e.status, { "content-type": "application/json", ...e.headers });
  res.end(
    JSON.stringify({
      error: {
        message: e.message,
        type: e.code === 190 ? "OAuthException" : "OAuthException",
        code: e.code,
        ...(e.details ? { error_data: { messaging_product: "whatsapp", details: e.details } } : {}),
        fbtrace_id: `A${crypto.randomBytes(8).toString("hex")}`,
      },
    }),
  );
};
export const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
/** Graph's (#100) invalid-parameter answer. */
export const invalid = (res: http.ServerResponse, message: string) =>
  graphError(res, { status: 400, code: 100, message: `(#100) ${message}` });

/** A webhook's envelope around one change `value` of the number's account. */
export const webhookEnvelope = (
  opts: { phoneNumberId: string; displayPhoneNumber?: string | undefined },
  value: Record<string, unknown>,
) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "102290129340398",
      changes: [
        {
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            metadata: {
              display_phone_number: opts.displayPhoneNumber ?? "15550783881",
              phone_number_id: opts.phoneNumberId,
            },
            ...value,
          },
        },
      ],
    },
  ],
});
