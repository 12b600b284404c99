import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The server package's directory (apps/server). This module is apps/server/src/paths.ts when run from source
 * and part of apps/server/dist/main.mjs (or cli.mjs) in the built server: one level below it either way, so
 * the paths below resolve the same in both. Keep this file directly in src/.
 */
export const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The agent web app, built by `npm run build` (or `npm start`) into apps/web/dist. */
export const WEB_DIST = path.resolve(SERVER_DIR, "../web/dist");

/** The website chat widget (loader.js, frame.js, frame.css), built into apps/widget/dist. */
export const WIDGET_DIST = path.resolve(SERVER_DIR, "../widget/dist");
