/**
 * A database of its own for one test file, for tests that read or act on a whole database: the relay reads every
 * event of its database and holds a lock per database, replaying every network meets every suite's users, and a
 * background worker would take other suites' work.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openRuntime, type OpenRuntime } from '../../src/bootstrap.js';
import { testConfig, type TestEnv } from './app.js';

export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  /** A migrated runtime on it (no HTTP app). */
  open(overrides?: TestEnv): Promise<OpenRuntime>;
  /** Ends every session on it but `exceptPid` (as a server restart would), returns how many. */
  terminateSessions(filter?: { applicationName?: string }): Promise<number>;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('TEST_ADMIN_DATABASE_URL is not set: run the tests through jest (globalSetup).');
  return url;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createFreshDatabase(label: string): Promise<FreshDatabase> {
  const name = `${process.env.TEST_DATABASE_NAME ?? 'ocu_test'}_${label}_${randomBytes(3).toString('hex')}`.slice(0, 63);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    open: (overrides = {}) => openRuntime(testConfig({ DATABASE_URL: url.toString(), ...overrides })),
    terminateSessions: (filter = {}) =>
      admin(async (c) => {
        const { rows } = await c.query(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR application_name = $2)`,
          [name, filter.applicationName ?? null],
        );
        return rows.length;
      }),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
