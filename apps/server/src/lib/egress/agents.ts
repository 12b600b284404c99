import dns from "node:dns";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import tls from "node:tls";
import { type EgressPolicy, EgressRefused, parseAllowList, refusalOf } from "./addresses";

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** A DNS look-up for sockets that hands them only permitted addresses. */
function guardedLookup(allow: net.BlockList | null) {
  return (hostname: string, options: dns.LookupOptions | number, callback: LookupCallback) => {
    const opts: dns.LookupOptions = typeof options === "number" ? { family: options } : { ...options };
    dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, opts.all ? [] : "", undefined);
      const permitted = addresses.filter((a) => refusalOf(a.address, allow) === null);
      if (permitted.length === 0) {
        const why = addresses.length ? refusalOf(addresses[0]!.address, allow) : "no address";
        return callback(new EgressRefused(`${hostname}: ${why}`), opts.all ? [] : "", undefined);
      }
      if (opts.all) callback(null, permitted);
      else callback(null, permitted[0]!.address, permitted[0]!.family);
    });
  };
}

export interface Agents {
  http: http.Agent;
  https: https.Agent;
  lookup: ReturnType<typeof guardedLookup>;
}

const agentsByPolicy = new Map<string, Agents>();

export function agentsFor(key: string, policy: EgressPolicy): Agents {
  let agents = agentsByPolicy.get(key);
  if (!agents) {
    const lookup = guardedLookup(policy.allow);
    agents = {
      lookup,
      http: new http.Agent({ keepAlive: true, lookup } as http.AgentOptions),
      https: new https.Agent({
        keepAlive: true,
        lookup,
        ...(policy.ca ? { ca: [...tls.rootCertificates, policy.ca] } : {}),
      } as https.AgentOptions),
    };
    agentsByPolicy.set(key, agents);
  }
  return agents;
}

/** The policy from the configuration (parsed once per distinct setting). */
export function egressPolicy(config: { EGRESS_ALLOW?: string; OUTBOUND_CA_FILE?: string }): EgressPolicy & {
  key: string;
} {
  const key = `${config.EGRESS_ALLOW ?? ""}|${config.OUTBOUND_CA_FILE ?? ""}`;
  const cached = policies.get(key);
  if (cached) return cached;
  const policy = {
    key,
    allow: config.EGRESS_ALLOW ? parseAllowList(config.EGRESS_ALLOW) : null,
    ca: config.OUTBOUND_CA_FILE ? fs.readFileSync(config.OUTBOUND_CA_FILE, "utf8") : null,
  };
  policies.set(key, policy);
  return policy;
}
const policies = new Map<string, EgressPolicy & { key: string }>();
