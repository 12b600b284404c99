import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config";
import { DataDirLockedError } from "./db/data-dir-lock";
import { verifyAuditLog } from "./modules/audit/verify";
import { printVerifyReport } from "./modules/audit/verify-report";
import { setupWorkspace } from "./modules/auth/setup-workspace";
import { createServer } from "./server";
import { migrateFilesToS3 } from "./storage/migrate-command";

const USAGE = `Usage: npm run parley -- <command>

Commands:
  create-owner --workspace NAME --name NAME --email EMAIL [--password PASSWORD]
      Creates a workspace and its owner. Without --password, reads it from PARLEY_PASSWORD
      or prompts for it.
  migrate
      Applies database migrations and exits.
  audit verify [--workspace ID]
      Recomputes every workspace's audit hash chain; reports each changed, inserted or deleted row.
      Exit code 1 when a chain is broken, 0 when all are sound.
  files migrate --to s3
      Copies every stored file from the files directory (FILES_DIR) to the S3 bucket (S3_*), printing
      progress. Run it again to resume or to catch up: files already in the bucket are skipped.
      Exit code 1 when some file's bytes are missing or damaged on disk.`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  const config = loadConfig({ ...process.env, ROLES: "api", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
  let server: Awaited<ReturnType<typeof createServer>>;
  try {
    server = await createServer(config);
  } catch (err) {
    // The embedded database is locked by the running server: ask it instead (first owner only).
    if (err instanceof DataDirLockedError && command === "create-owner")
      return createOwnerThroughApi(config.PORT, rest);
    throw err;
  }
  try {
    if (command === "migrate") {
      console.log("Migrations applied.");
    } else if (command === "audit" && rest[0] === "verify") {
      const { values } = parseArgs({ args: rest.slice(1), options: { workspace: { type: "string" } } });
      process.exitCode = printVerifyReport(await verifyAuditLog(server.ctx.db, values.workspace));
    } else if (command === "files" && rest[0] === "migrate") {
      const { values } = parseArgs({ args: rest.slice(1), options: { to: { type: "string" } } });
      if (values.to !== "s3") throw new Error(`files migrate needs --to s3\n\n${USAGE}`);
      process.exitCode = await migrateFilesToS3(server.ctx.db, config);
    } else if (command === "create-owner") {
      const { values } = parseArgs({
        args: rest,
        options: {
          workspace: { type: "string" },
          name: { type: "string" },
          email: { type: "string" },
          password: { type: "string" },
        },
      });
      const password =
        values.password ?? process.env.PARLEY_PASSWORD ?? (await prompt("Password (10+ characters): "));
      if (!values.workspace || !values.name || !values.email)
        throw new Error(`create-owner needs --workspace, --name and --email\n\n${USAGE}`);
      if (password.length < 10) throw new Error("The password must be at least 10 characters.");
      const user = await setupWorkspace(
        server.ctx,
        { workspaceName: values.workspace, name: values.name, email: values.email, password },
        { onlyIfEmpty: false },
      );
      console.log(
        `Created the owner ${user.email} of workspace "${values.workspace}". Sign in at ${config.publicUrl}.`,
      );
    } else {
      throw new Error(`Unknown command "${command}".\n\n${USAGE}`);
    }
  } finally {
    await server.close();
  }
}

async function ownerInput(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      workspace: { type: "string" },
      name: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
    },
  });
  if (!values.workspace || !values.name || !values.email)
    throw new Error(`create-owner needs --workspace, --name and --email\n\n${USAGE}`);
  const password =
    values.password ?? process.env.PARLEY_PASSWORD ?? (await prompt("Password (10+ characters): "));
  if (password.length < 10) throw new Error("The password must be at least 10 characters.");
  return { workspaceName: values.workspace, name: values.name, email: values.email, password };
}

async function createOwnerThroughApi(port: number, args: string[]) {
  const input = await ownerInput(args);
  const res = await fetch(`http://127.0.0.1:${port}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  }).catch(() => {
    throw new Error(
      `The data directory is locked but no Parley answers on port ${port}. Stop the other process and retry.`,
    );
  });
  const body = (await res.json()) as { error?: { message: string }; user?: { email: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `The server answered ${res.status}.`);
  console.log(
    `Created the owner ${body.user?.email} of workspace "${input.workspaceName}" through the running server.`,
  );
}

async function prompt(question: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) console.error(err.message);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
