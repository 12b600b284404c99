export * from "./capabilities";
export * from "./enums";
export * from "./errors";
export * from "./events";
export * from "./limits";
export * from "./models";
