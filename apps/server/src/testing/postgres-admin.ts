import pg from "pg";

/** The same server and credentials as `url`, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates `name` as a copy of `template` (the migrated schema: no migrations per test file). Two copies
 * started at the same moment may find the template busy (SQLSTATE 55006): the later one tries again.
 */
export async function createDatabaseFrom(url: string, name: string, template: string) {
  await admin(url, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database ${quoted(name)} template ${quoted(template)}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "55006" || attempt >= 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  });
}

export async function dropDatabase(url: string, name: string) {
  await admin(url, (client) => client.query(`drop database if exists ${quoted(name)} with (force)`));
}
