// Creates one fresh PostgreSQL database for this test run: DATABASE_URL when set, else a Testcontainers
// PostgreSQL when a Docker engine answers, else the local server on 127.0.0.1:5432.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

async function dockerAnswers() {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

async function serverUrl() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  if (process.env.TESTCONTAINERS !== 'off' && (await dockerAnswers())) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    return { url: container.getConnectionUri(), container };
  }
  return { url: 'postgres://postgres@127.0.0.1:5432/postgres' };
}

export default async function globalSetup() {
  const { url, container } = await serverUrl();
  const name = `ocu_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  process.env.TEST_ADMIN_DATABASE_URL = url;
  process.env.TEST_DATABASE_NAME = name;
  process.env.TEST_DATABASE_URL = testUrl.toString();
  globalThis.__OCU_PG_CONTAINER__ = container;
}
