import type { ChannelType } from "@parley/protocol";
import { AppError } from "../lib/errors";
import type { ChannelAdapter } from "./types";

/** A typed registry of adapters: dispatch is by the connection's type, never by class names in strings. */
export class ChannelRegistry {
  private readonly adapters = new Map<ChannelType, ChannelAdapter>();
  register<C, S>(adapter: ChannelAdapter<C, S>) {
    this.adapters.set(adapter.type, adapter as unknown as ChannelAdapter);
    return this;
  }
  get(type: string): ChannelAdapter {
    const adapter = this.adapters.get(type as ChannelType);
    if (!adapter)
      throw new AppError("bad_request", `Channel type "${type}" is not available on this server.`);
    return adapter;
  }
  types(): ChannelType[] {
    return [...this.adapters.keys()];
  }
}
