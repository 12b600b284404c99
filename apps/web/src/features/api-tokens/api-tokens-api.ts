import { client, data } from "../../api/client";
import type { Answer, Body } from "../../api/types";

export type ApiToken = Answer<"/api/api-tokens">["tokens"][number];
export type NewToken = Body<"/api/api-tokens", "post">;
export type Permission = NewToken["permissions"][number];

export const tokensKey = ["api-tokens"] as const;

export const listTokens = async () => (await data(client.GET("/api/api-tokens"))).tokens;
export const createToken = (body: NewToken) => data(client.POST("/api/api-tokens", { body }));
export const revokeToken = (id: string) =>
  data(client.POST("/api/api-tokens/{id}/revoke", { params: { path: { id } } }));

/** Expiry choices of the form, in days (null: never). */
export const EXPIRY_DAYS = { never: null, d30: 30, d90: 90, d365: 365 } as const;
export type Expiry = keyof typeof EXPIRY_DAYS;

export const expiresAtFor = (choice: Expiry, now = new Date()) => {
  const days = EXPIRY_DAYS[choice];
  return days === null ? null : new Date(now.getTime() + days * 86_400_000).toISOString();
};

/** An example request a person can paste into a terminal. */
export const curlExample = (origin: string, secret: string) =>
  `curl -H "Authorization: Bearer ${secret}" ${origin}/api/conversations`;
