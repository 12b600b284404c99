import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import fastifyWebsocket from "@fastify/websocket";
import { ERROR_STATUS, LIMITS } from "@parley/protocol";
import Fastify, { type FastifyContextConfig, LogController } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { AppContext } from "../context";
import { safeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { storableDeep, unstorableAt } from "../lib/text";
import { touchSession } from "../modules/account-security/touch";
import {
  authenticateBearer,
  bearerSecret,
  carriesApiToken,
  explainRefusal,
} from "../modules/api-tokens/bearer";
import { resolveSession, SESSION_COOKIE } from "../modules/auth/sessions";
import { requireEnrolled } from "../modules/auth/two-factor/enrolment-gate";
import { isPersonOnly, securityOf } from "./person-only";
import { sharedRateLimitStore } from "./rate-limit-store";
import { securityHeaders } from "./security-headers";
import type { App } from "./types";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Routes whose input comes from providers and site visitors: cleaned rather than refused. */
/** A registered route: tests enumerate them so every route is covered (e.g. workspace isolation). */
export interface RouteEntry {
  method: string;
  url: string;
  /** config.auth === false: reachable without a session. */
  public: boolean;
}
const routeLists = new WeakMap<object, RouteEntry[]>();
/** Every route registered on an app built by createHttpApp, in registration order. */
export const registeredRoutes = (app: object): readonly RouteEntry[] => routeLists.get(app) ?? [];

/** An incoming X-Request-Id of 1–128 letters, digits and `._:-` is kept (a proxy's id); otherwise a new one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/**
 * The channels' webhooks (`modules/connections/webhooks.ts`): their adapters read the raw body, after checking
 * its signature. A matched route's pattern, or a request's URL.
 */
const isWebhookPath = (path: string | undefined) => path?.startsWith("/api/webhooks/") === true;

/** Builds the HTTP server: plugins, the error shape, authentication and CSRF checks. Routes come from modules. */
export async function createHttpApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: LIMITS.apiBodyBytes,
    trustProxy: ctx.config.TRUST_PROXY,
    logController: new LogController({
      disableRequestLogging: ctx.config.LOG_LEVEL !== "debug" && ctx.config.LOG_LEVEL !== "trace",
    }),
    return503OnClosing: true,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdOf,
  }).withTypeProvider<ZodTypeProvider>();
  // Every answer names its request id: what a caller quotes when reporting a problem, found in the logs.
  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  const routes: RouteEntry[] = [];
  routeLists.set(app, routes);
  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat()) {
      routes.push({ method, url: r.url, public: r.config?.auth === false });
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Keep the raw bytes of every JSON body: webhook signatures are computed over them.
  app.decorateRequest("rawBody", null);
  app.decorateRequest("actor", null);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => {
    const buf = body as Buffer;
    req.rawBody = buf;
    // A webhook's channel adapter reads its raw bytes once its signature is checked: not parsed here too.
    if (buf.length === 0 || isWebhookPath(req.routeOptions.url)) return done(null, undefined);
    try {
      done(null, JSON.parse(buf.toString("utf8")));
    } catch {
      done(new AppError("invalid_json", "The request body is not valid JSON."), undefined);
    }
  });
  // XML bodies (WeChat's webhooks) are kept raw for the adapter to verify and read; nothing else reads them.
  app.addContentTypeParser(["text/xml", "application/xml"], { parseAs: "buffer" }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, undefined);
  });

  // Providers that post form-encoded webhooks (Twilio-compatible SMS) sign the parameters: webhooks only, whose
  // adapter reads the raw bytes.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "buffer" }, (req, body, done) => {
    if (!isWebhookPath(req.url))
      return done(new AppError("unsupported_media_type", "Send the body as application/json."), undefined);
    req.rawBody = body as Buffer;
    done(null, undefined);
  });

  app.setErrorHandler((caught, req, reply) => {
    const err = caught instanceof AppError ? explainRefusal(req, caught) : caught;
    if (err instanceof AppError) {
      // A refusal that says how long to wait (a rate limit, a full ingest queue) says it in Retry-After too.
      const wait = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (typeof wait === "number" && !reply.hasHeader("retry-after"))
        reply.header("retry-after", String(wait));
      return reply
        .code(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = first
        ? `${err.validationContext ?? "body"}${first.instancePath.replaceAll("/", ".")}`
        : "request";
      return reply.code(400).send({
        error: {
          code: "validation_failed",
          message: `Invalid ${where}: ${first?.message ?? "does not match the expected format"}.`,
          details: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        },
      });
    }
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply
        .code(413)
        .send({ error: { code: "payload_too_large", message: "The request body is too large." } });
    }
    if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply
        .code(415)
        .send({ error: { code: "unsupported_media_type", message: "Send the body as application/json." } });
    }
    // Last line of defence for text PostgreSQL cannot hold (NUL, broken UTF-8/UTF-16) that got past the checks
    // on the way in: a 400, not a 500.
    if (e.code === "22021" || e.code === "22P05") {
      return reply.code(400).send({
        error: {
          code: "validation_failed",
          message:
            "The request contains a character that cannot be stored (such as a NUL character, \\u0000): remove it and try again.",
        },
      });
    }
    if (e.statusCode === 429) {
      return reply.code(429).send({ error: { code: "rate_limited", message: e.message } });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { code: "bad_request", message: e.message } });
    }
    req.log.error({ err }, "request failed");
    return reply.code(500).send({
      error: { code: "internal", message: "Something went wrong on our side; it has been logged." },
    });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: { code: "not_found", message: `No route for ${req.method} ${req.url.split("?")[0]}.` },
    });
  });

  securityHeaders(app as unknown as App, () => ctx.config.publicUrl);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    store: sharedRateLimitStore(ctx.limits, ctx.clock),
    errorResponseBuilder: (_req, context) => {
      const err = new AppError(
        "rate_limited",
        `Too many attempts. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
      ) as AppError & { statusCode: number };
      err.statusCode = ERROR_STATUS.rate_limited;
      return err;
    },
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Parley API",
        version: "0.1.0",
        description: "The REST API of Parley, the omnichannel inbox.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          csrf: { type: "apiKey", in: "header", name: "x-csrf-token" },
          bearer: {
            type: "http",
            scheme: "bearer",
            description:
              "A workspace API token (`prl_…`, Settings → API) with the permissions chosen for it; no CSRF header.",
          },
        },
      },
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const method = [input.route.method].flat()[0] ?? "GET";
      const security = securityOf(method, out.url, input.route.config as FastifyContextConfig | undefined);
      return security ? { ...out, schema: { ...out.schema, security } } : out;
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: "/api/docs",
    // Its own policy (Swagger UI's: scripts only from its files), with the inline styles it injects, never
    // framed, no outside validator.
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(" validator.swagger.io", "")
        .replace(/\s*upgrade-insecure-requests;?/, ""),
  });

  // Resolve the caller of every API request: an API token (`Authorization: Bearer`, R806) or the session
  // cookie; refuse unauthenticated and cross-site writes, and tokens on the routes only a person may call.
  // Decided on the route the router matched (its decoded pattern), never on the raw URL: `/%61pi/…` is
  // routed to `/api/…` and must be checked the same way.
  app.addHook("preValidation", async (req, reply) => {
    const route = req.routeOptions.url ?? "";
    if (!route.startsWith("/api/")) return;
    const isPublic =
      req.routeOptions.config.auth === false || route === "/api/docs" || route.startsWith("/api/docs/");
    if (isPublic) {
      // The chat widget's visitors carry their own bearer tokens; elsewhere a public route may use an API token
      // (a file download) but never needs one.
      if (!route.startsWith("/api/widget/") && carriesApiToken(req))
        return authenticateBearer(ctx, req, reply, false);
      const token = req.cookies[SESSION_COOKIE];
      const actor = token ? await resolveSession(ctx.db, token, ctx.clock.now()) : null;
      req.actor = actor;
      if (actor) await touchSession(ctx.db, actor, req.ip, ctx.clock.now());
      return;
    }
    if (bearerSecret(req) !== null) {
      if (isPersonOnly(req.method, route, req.routeOptions.config.personOnly))
        throw new AppError(
          "forbidden",
          `${req.method} ${route} belongs to a signed-in person (their own account, sessions or notifications) and cannot be called with an API token.`,
        );
      return authenticateBearer(ctx, req, reply, true);
    }
    const token = req.cookies[SESSION_COOKIE];
    const actor = token ? await resolveSession(ctx.db, token, ctx.clock.now()) : null;
    if (!actor) throw new AppError("unauthenticated", "Sign in to continue.");
    req.actor = actor;
    await touchSession(ctx.db, actor, req.ip, ctx.clock.now());
    if (UNSAFE.has(req.method)) {
      const header = req.headers["x-csrf-token"];
      if (typeof header !== "string" || !safeEqual(header, actor.csrfToken)) {
        throw new AppError(
          "csrf_failed",
          "Missing or wrong X-CSRF-Token header; reload the page and try again.",
        );
      }
    }
    requireEnrolled(actor, req.method, route);
  });

  // Text PostgreSQL cannot store (NUL, lone surrogates): what providers and site visitors send is kept without
  // it; a person's own input is refused with the field to fix. Runs before the schemas validate.
  app.addHook("preValidation", async (req) => {
    const route = req.routeOptions.url ?? "";
    if (isWebhookPath(route)) {
      // A webhook is read from its raw bytes, never from the parsed body: the ingest queue cleans the events
      // it becomes, so its body is not walked here too.
      storableDeep(req.query);
      return;
    }
    if (route.startsWith("/api/widget/")) {
      storableDeep(req.body);
      storableDeep(req.query);
      return;
    }
    const where =
      unstorableAt(req.body, "body") ?? unstorableAt(req.query, "query") ?? unstorableAt(req.params, "path");
    if (where)
      throw new AppError(
        "validation_failed",
        `Invalid ${where}: it contains a NUL character (\\u0000) or a broken Unicode character, which cannot be stored. Remove it and try again.`,
        { path: where },
      );
  });

  return app as unknown as App;
}
