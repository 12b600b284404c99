/**
 * The egress guard: every request Parley makes to an address that a user, an integrator or a provider supplied
 * (Web Push endpoints, the API channel's outbound URL, media links from webhooks) goes through `egressFetch`.
 *
 * It refuses schemes other than http(s), names of cloud metadata services, and every address that is not on the
 * public internet (loopback, RFC 1918, link-local, unique-local, CGNAT, multicast, unspecified, reserved, and
 * IPv6 forms that embed such an IPv4 address). The check runs on the address the socket actually connects to:
 * IP literals before connecting, names inside the socket's own DNS look-up (so there is no window between the
 * check and the connection for a name to be re-pointed), and again for every redirect, which is followed by
 * hand up to a hop limit. Ranges listed in EGRESS_ALLOW (tests and benchmarks: 127.0.0.1/32) are let through;
 * cloud metadata addresses never are.
 *
 * Provider API bases from the configuration (TELEGRAM_API_BASE, GRAPH_API_BASE, ...) are the operator's own
 * choice and are called directly; the media links those providers hand out go through the guard.
 */
export * from "./egress/addresses";
export { egressPolicy } from "./egress/agents";
export * from "./egress/fetch";
export * from "./egress/post";
export * from "./egress/responses";
