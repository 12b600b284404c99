import { z } from "zod";
import { PATH, templateProblem } from "./template";

export const tags = ["linked-records"];
export const IdParams = z.object({ id: z.uuid() });

const HeaderName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "A header name has letters, digits and - only.")
  .refine((n) => !["host", "content-length", "transfer-encoding", "connection"].includes(n.toLowerCase()), {
    message: "Host, Content-Length, Transfer-Encoding and Connection are set by Parley.",
  });

export const ConfigBody = z.object({
  enabled: z.boolean().default(true),
  method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
  url: z.url({ protocol: /^https?$/, error: "The URL must be an http:// or https:// address." }).max(2000),
  /** Header values are secret: stored sealed, never answered. Omitted: the saved headers stay. */
  headers: z
    .record(
      HeaderName,
      z
        .string()
        .max(4000)
        .regex(/^[^\r\n]*$/, "A header value is one line."),
    )
    .optional(),
  bodyTemplate: z
    .string()
    .min(2)
    .max(20_000)
    .superRefine((v, c) => {
      const problem = templateProblem(v);
      if (problem) c.addIssue({ code: "custom", message: problem });
    }),
  idPath: z.string().regex(PATH, "A JSON path is names separated by dots, e.g. data.id.").max(200),
  urlPath: z
    .string()
    .regex(PATH, "A JSON path is names separated by dots, e.g. data.url.")
    .max(200)
    .nullish(),
});
export type ConfigBody = z.infer<typeof ConfigBody>;

export const LinkedRecordConfig = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  teamId: z.string().nullable(),
  enabled: z.boolean(),
  method: z.string(),
  url: z.string(),
  headerNames: z.array(z.string()),
  bodyTemplate: z.string(),
  idPath: z.string(),
  urlPath: z.string().nullable(),
  updatedAt: z.string(),
});

export const LinkedRecord = z.object({
  id: z.string(),
  conversationId: z.string(),
  contactId: z.string(),
  status: z.enum(["pending", "created", "failed"]),
  externalId: z.string().nullable(),
  externalUrl: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
