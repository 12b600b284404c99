import type { Attachment } from "@parley/protocol";
import type { Db } from "../db/client";
import type { EgressInit } from "../lib/egress";
import type { LimitStore } from "../lib/limits";
import type { BlobStore } from "../storage/blob-store";

/** Provider base URLs and versions from the configuration: tests point them at local fake servers. */
export interface ChannelEndpoints {
  telegramApiBase: string;
  graphApiBase: string;
  graphApiVersion: string;
  instagramApiBase: string;
  viberApiBase: string;
  /** LINE Messaging API (`https://api.line.me`) and its content host (`https://api-data.line.me`). */
  lineApiBase: string;
  lineDataApiBase: string;
  /** WeChat Official Account API (`https://api.weixin.qq.com`). */
  wechatApiBase: string;
  /** The Twilio-compatible Messages API of SMS connections that name no base URL of their own. */
  smsApiBase: string;
}

export interface DownloadRequest {
  url: string;
  headers?: Record<string, string>;
  /** File name and type when the provider says them (otherwise taken from the response). */
  name?: string;
  mimeType?: string;
  /** Refuse bigger files (default: 100 MB). */
  maxBytes?: number;
  /** What to record as the file's origin when `url` carries a secret (Telegram puts the bot token in the path). */
  sourceUrl?: string;
  /**
   * The bytes through the provider's own client instead of an HTTP download (a personal Telegram account's
   * files come over MTProto); `url` is then only recorded as the file's origin.
   */
  read?: () => Promise<Buffer>;
  /**
   * Answers that mean the file is gone for good (LINE's content endpoint answers 404 once the content expired):
   * the download ends at once with `reason` instead of being retried.
   */
  gone?: { statuses: number[]; reason: string };
  /**
   * For providers that answer an error with HTTP 200 and a JSON body instead of the file (WeChat's media/get):
   * given the parsed body of an answer typed application/json or text/plain, returns the error to fail the try
   * with (a ChannelSendError says whether to retry), or null when the body is the file itself.
   */
  errorInBody?: (body: unknown) => Error | null;
}

/** What Parley gives an adapter to do its work. */
export interface AdapterContext {
  /** For adapters that keep state of their own (email: thread headers, mailbox positions). */
  db: Db;
  /** Where provider pacing counts (shared by every process: PostgreSQL, or Redis with REDIS_URL). */
  limits: LimitStore;
  blobs: BlobStore;
  /** Seals values kept in the database (the encryption of the credentials), for tokens a provider issues. */
  secrets: { seal(value: unknown): string; open<T = unknown>(sealed: string): T };
  endpoints: ChannelEndpoints;
  /** Parley's public address (for webhook URLs the adapter registers). */
  publicUrl: string;
  /** The connection's own webhook URL: `${publicUrl}/api/webhooks/<type>/<connectionId>`. */
  webhookUrl: string;
  timeoutMs: number;
  /** The application's clock (tests move it); adapters that compare times with stored ones use it. */
  now: () => Date;
  /**
   * Downloads a provider's media into Parley's storage now (provider links expire) and returns the stored
   * attachment. It never throws: a failed download returns an attachment whose `error` says why, so the
   * message itself is never lost.
   */
  download(request: DownloadRequest): Promise<Attachment>;
  /**
   * `fetch` for addresses an integrator or provider supplied (the API channel's outbound URL): through the
   * egress guard, which refuses non-public addresses and re-checks every redirect; throws EgressRefused.
   */
  fetchSupplied(url: string, init: EgressInit): Promise<Response>;
  /**
   * The absolute URL a provider can fetch an attachment from: Parley's own files (`/api/files/<id>`) get a
   * signed link valid for an hour; other URLs are returned as they are.
   */
  fileUrl(url: string): string;
}

export interface ConnectionInfo<C = unknown, S = unknown> {
  id: string;
  workspaceId: string;
  credentials: C;
  settings: S;
}
