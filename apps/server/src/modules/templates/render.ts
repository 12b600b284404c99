import type { TemplateComponentValues } from "../../channels/types";
import { AppError } from "../../lib/errors";

/**
 * Message templates (WhatsApp, CHANNELS.md §2.3 / §2.5): reading a template's components as the provider
 * describes them, checking an agent's values for its {{n}} placeholders, rendering the text agents see, and
 * the per-component values the adapter sends.
 */

/** Values of the placeholders, per component (buttons: one per dynamic URL button, in order). */
export interface TemplateVariables {
  header?: string[];
  body: string[];
  buttons?: string[];
}

/** What messages.template holds for a message sent as a template. */
export interface StoredTemplateRef {
  templateId: string;
  name: string;
  language: string;
  category: string | null;
  variables: TemplateVariables;
  components: TemplateComponentValues[];
}

export const VARIABLE_MAX_CHARS = 1024;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct placeholders of a text, positional ones in numeric order, named ones as they appear. */
export function placeholders(text: string | null | undefined): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen.every((n) => /^\d+$/.test(n)) ? seen.sort((a, b) => Number(a) - Number(b)) : seen;
}

function fill(text: string, names: string[], values: string[]): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const i = names.indexOf(name);
    return i >= 0 && values[i] !== undefined ? values[i]! : whole;
  });
}

interface RawComponent {
  type?: string;
  format?: string;
  text?: string;
  buttons?: Array<{ type?: string; text?: string; url?: string }>;
}

export type HeaderMedia = "image" | "video" | "document";
/** The file types WhatsApp takes in a template's media header. */
const HEADER_TYPES: Record<HeaderMedia, string[]> = {
  image: ["image/jpeg", "image/png"],
  video: ["video/mp4", "video/3gpp"],
  document: ["application/pdf"],
};

export interface TemplateShape {
  header: { format: string; text: string | null; names: string[] } | null;
  /** The kind of file a media header needs (sent uploaded, by media id), or null. */
  headerMedia: HeaderMedia | null;
  body: { text: string; names: string[] };
  footer: string | null;
  /** Buttons whose URL ends with a placeholder (the only dynamic part a button has). */
  dynamicButtons: Array<{ index: number; type: string; text: string; names: string[] }>;
  /** Why Parley cannot send this template yet (media headers need a file), or null. */
  unsupported: string | null;
}

export function shapeOf(components: unknown): TemplateShape {
  const list = (Array.isArray(components) ? components : []) as RawComponent[];
  const find = (t: string) => list.find((c) => c?.type?.toUpperCase() === t);
  const h = find("HEADER");
  const b = find("BODY");
  const f = find("FOOTER");
  const format = (h?.format ?? "TEXT").toUpperCase();
  const header = h
    ? { format, text: h.text ?? null, names: format === "TEXT" ? placeholders(h.text) : [] }
    : null;
  const dynamicButtons = (find("BUTTONS")?.buttons ?? []).flatMap((btn, index) => {
    const names = placeholders(btn?.url);
    return names.length
      ? [{ index, type: (btn.type ?? "URL").toLowerCase(), text: btn.text ?? "", names }]
      : [];
  });
  const headerMedia = h && (["IMAGE", "VIDEO", "DOCUMENT"] as const).find((f) => f === format);
  return {
    header,
    headerMedia: headerMedia ? (headerMedia.toLowerCase() as HeaderMedia) : null,
    body: { text: b?.text ?? "", names: placeholders(b?.text) },
    footer: f?.text ?? null,
    dynamicButtons,
    unsupported:
      header && format !== "TEXT" && !headerMedia
        ? `Templates with a ${format.toLowerCase()} header are not supported yet.`
        : dynamicButtons.some((d) => d.names.length > 1)
          ? "A button with more than one placeholder is not supported."
          : null,
  };
}

/** How many values each component needs (what the composer asks the agent for). */
export function variableCounts(shape: TemplateShape) {
  return {
    header: shape.header?.names.length ?? 0,
    body: shape.body.names.length,
    buttons: shape.dynamicButtons.length,
  };
}

/**
 * Checks the file given for a template's media header: required when the header is an image, video or
 * document, of a type WhatsApp takes there, and refused for a template without one.
 */
function checkHeaderFile(shape: TemplateShape, file: { name: string; mimeType: string } | null) {
  const kind = shape.headerMedia;
  if (!kind) {
    if (file)
      throw new AppError(
        "unprocessable",
        "This template has no media header: send it without a header file.",
      );
    return;
  }
  if (!file)
    throw new AppError(
      "unprocessable",
      `The template's header is ${kind === "image" ? "an image" : `a ${kind}`}: attach one as the header file.`,
      { component: "header", media: kind },
    );
  const mime = file.mimeType.split(";")[0]!.trim().toLowerCase();
  if (!HEADER_TYPES[kind].includes(mime))
    throw new AppError(
      "unprocessable",
      `The template's ${kind} header takes ${HEADER_TYPES[kind].join(" or ")}; "${file.name}" is ${mime || "of an unknown type"}.`,
      { component: "header", media: kind, mimeType: mime },
    );
}

function checkValues(part: string, expected: number, given: string[] | undefined): string[] {
  const values = given ?? [];
  if (values.length !== expected)
    throw new AppError(
      "unprocessable",
      `The template's ${part} has ${expected} variable${expected === 1 ? "" : "s"}; ${values.length} ${values.length === 1 ? "was" : "were"} given.`,
      { component: part, expected, given: values.length },
    );
  return values.map((v, i) => {
    const value = v.trim();
    const where = `Variable {{${i + 1}}} of the ${part}`;
    if (!value) throw new AppError("unprocessable", `${where} is empty.`, { component: part, index: i });
    if (value.length > VARIABLE_MAX_CHARS)
      throw new AppError(
        "unprocessable",
        `${where} has ${value.length} characters; WhatsApp accepts at most ${VARIABLE_MAX_CHARS}.`,
        { component: part, index: i },
      );
    // WhatsApp refuses parameters with line breaks, tabs or more than 4 spaces in a row (error 132018).
    if (/[\n\r\t]| {5,}/.test(value))
      throw new AppError(
        "unprocessable",
        `${where} may not contain line breaks, tabs or more than four spaces in a row.`,
        { component: part, index: i },
      );
    return value;
  });
}

/**
 * Checks the agent's values against the template and returns the text to show in the feed and the
 * components to send. Throws AppError("unprocessable") with a message the agent can act on.
 */
export function renderTemplate(
  components: unknown,
  variables: TemplateVariables,
  headerFile: { name: string; mimeType: string } | null = null,
): { text: string; variables: TemplateVariables; components: TemplateComponentValues[] } {
  const shape = shapeOf(components);
  if (shape.unsupported) throw new AppError("unprocessable", shape.unsupported);
  checkHeaderFile(shape, headerFile);
  const header = checkValues("header", shape.header?.names.length ?? 0, variables.header);
  const body = checkValues("body", shape.body.names.length, variables.body);
  const buttons = checkValues("buttons", shape.dynamicButtons.length, variables.buttons);
  const params = (names: string[], values: string[]) =>
    values.map((text, i) => ({
      type: "text" as const,
      text,
      ...(/^\d+$/.test(names[i]!) ? {} : { name: names[i]! }),
    }));
  const out: TemplateComponentValues[] = [];
  if (header.length) out.push({ type: "header", parameters: params(shape.header!.names, header) });
  // The header file is the message's first attachment.
  if (shape.headerMedia)
    out.push({ type: "header", parameters: [{ type: shape.headerMedia, attachment: 0 }] });
  if (body.length) out.push({ type: "body", parameters: params(shape.body.names, body) });
  shape.dynamicButtons.forEach((btn, i) => {
    out.push({
      type: "button",
      subType: btn.type,
      index: btn.index,
      parameters: params(btn.names, [buttons[i]!]),
    });
  });
  const text = [
    shape.header?.text ? fill(shape.header.text, shape.header.names, header) : null,
    fill(shape.body.text, shape.body.names, body),
    shape.footer,
  ]
    .filter((s): s is string => !!s?.trim())
    .join("\n\n");
  return {
    text,
    variables: {
      ...(header.length ? { header } : {}),
      body,
      ...(buttons.length ? { buttons } : {}),
    },
    components: out,
  };
}
