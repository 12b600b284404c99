import { ConfigError, loadConfig } from "./config";
import { DataDirLockedError } from "./db/data-dir-lock";
import { createServer } from "./server";

/** Starts Parley: `npm start`. */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  let server: Awaited<ReturnType<typeof createServer>>;
  try {
    server = await createServer(config);
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(75);
    }
    throw err;
  }
  const log = server.ctx.log;
  // The first lines a newcomer reads are plain text; everything else is structured (pino) logging.
  const say = (line: string) => console.log(line);
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
  process.on("uncaughtException", (err) => log.error({ err }, "uncaught exception"));

  await server.listen();
  const db = config.DATABASE_URL ? "PostgreSQL" : `the embedded database in ${config.dataDir}`;
  say(`Parley is running at ${config.publicUrl} on ${db}`);
  if (!config.DATABASE_URL) {
    say(
      "The embedded database is for trying Parley and small teams; production should use PostgreSQL (DATABASE_URL).",
    );
  }
  const [anyUser] = await server.ctx.db.query("select 1 from users limit 1");
  if (!anyUser) {
    say(
      `\nNo owner account yet. Open ${config.publicUrl} to create it, or from another terminal:\n` +
        "  npm run parley -- create-owner --workspace 'Acme' --name 'Your Name' --email you@example.com\n" +
        `(or POST ${config.publicUrl}/api/setup; the API is described at ${config.publicUrl}/api/docs)\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await server.close().catch((err) => log.error({ err }, "error while stopping"));
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
