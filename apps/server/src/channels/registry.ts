import type { ChannelType } from "@parley/protocol";
import { AppError } from "../lib/errors";
import { type ChannelTypeInfo, describeChannel } from "./forms";
import type { ChannelAdapter } from "./types";

/** A typed registry of adapters: dispatch is by the connection's type, never by class names in strings. */
export class ChannelRegistry {
  private readonly adapters = new Map<ChannelType, ChannelAdapter>();
  private described: ChannelTypeInfo[] | null = null;
  register<C, S>(adapter: ChannelAdapter<C, S>) {
    this.adapters.set(adapter.type, adapter as unknown as ChannelAdapter);
    this.described = null;
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
  /** Every registered type with the JSON schemas of its connection form (computed once). */
  describe(): ChannelTypeInfo[] {
    this.described ??= [...this.adapters.values()].map(describeChannel);
    return this.described;
  }
}
