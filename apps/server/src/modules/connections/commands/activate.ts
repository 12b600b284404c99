import { adapterContext } from "../../../channels/context";
import type { ChannelAdapter } from "../../../channels/types";
import { ChannelSetupError } from "../../../channels/types";
import type { AppContext } from "../../../context";
import { AppError } from "../../../lib/errors";

/** Who changes a connection: an admin of the workspace, from an address. */
export interface ConnectionActor {
  workspaceId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
}

/** Runs the adapter's set-up with the provider; its refusal becomes a 422 the admin can act on. */
export async function activateConnection(
  ctx: AppContext,
  adapter: ChannelAdapter,
  c: { id: string; workspaceId: string; type: string; credentials: unknown; settings: unknown },
): Promise<void> {
  if (!adapter.activate) return;
  try {
    await adapter.activate(c, adapterContext(ctx, c));
  } catch (err) {
    if (err instanceof ChannelSetupError) throw new AppError("unprocessable", err.message);
    throw err;
  }
}

/** The connection's settings checked with its adapter's own schema (a 400 naming each wrong field). */
export function validSettings(adapter: ChannelAdapter, input: unknown): unknown {
  const settings = adapter.settingsSchema.safeParse(input);
  if (!settings.success)
    throw new AppError(
      "validation_failed",
      `Invalid settings for a ${adapter.type} connection: ${settings.error.issues
        .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
        .join("; ")}`,
      settings.error.issues,
    );
  return settings.data;
}
