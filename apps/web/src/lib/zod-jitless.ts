import { config } from "zod";

// Zod probes whether it may compile validators with `Function(…)`; under the app's Content-Security-Policy
// (no 'unsafe-eval') that probe is reported as a violation. Validate without compiling instead.
config({ jitless: true });
