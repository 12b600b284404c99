import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { diagnosticsRoutes } from "./routes/diagnostics";
import { receiptPolicyRoutes } from "./routes/policy";
import { privacyRoutes } from "./routes/privacy";
import { reportRoutes } from "./routes/reports";
import { retryRoutes } from "./routes/retry";
import { seenByRoutes } from "./routes/seen-by";

/** Receipts (R301–R309): policy, staff "seen by", retry, privacy, diagnostics and reports. */
export async function receiptRoutes(app: App, ctx: AppContext) {
  receiptPolicyRoutes(app, ctx);
  seenByRoutes(app, ctx);
  retryRoutes(app, ctx);
  privacyRoutes(app, ctx);
  diagnosticsRoutes(app, ctx);
  reportRoutes(app, ctx);
}
