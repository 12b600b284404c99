import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A self-signed certificate for 127.0.0.1 and localhost (valid 2020–2120), for fake services that must speak
 * HTTPS (Web Push endpoints are https only). Test servers trust it through OUTBOUND_CA_FILE: TEST_CA_FILE.
 */
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "tls");
export const TEST_CA_FILE = path.join(dir, "cert.pem");
export const testTls = () => ({
  cert: fs.readFileSync(TEST_CA_FILE),
  key: fs.readFileSync(path.join(dir, "key.pem")),
});
