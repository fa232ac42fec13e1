// Creates one fresh PostgreSQL database for this test run: DATABASE_URL when set, else a Testcontainers
// PostgreSQL when a Docker engine answers, else the local server on 127.0.0.1:5432.
// And a Kafka broker (test/support/kafka.mjs ensureKafka: KAFKA_BROKERS when set, else Testcontainers, else the
// local broker of test/kafka/kafka.sh), exported to the tests as KAFKA_BROKERS, with one topic prefix per run
// (KAFKA_TOPIC_PREFIX). TEST_KAFKA=off skips the broker (tests that need it then fail, saying so).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ensureKafka, topicPrefix } from './kafka.mjs';

async function dockerAnswers() {
  // Without a socket or DOCKER_HOST there is nothing to ask; importing testcontainers would only leave handles open.
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
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

async function startKafka() {
  if (process.env.TEST_KAFKA === 'off') return;
  const { brokers, stop } = await ensureKafka();
  process.env.KAFKA_BROKERS = brokers;
  process.env.KAFKA_TOPIC_PREFIX = topicPrefix();
  globalThis.__OCU_KAFKA_STOP__ = stop;
}

export default async function globalSetup() {
  // The broker starts (a JVM, a few seconds) while the database is being created.
  const kafka = startKafka();
  kafka.catch(() => undefined);
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
  await kafka;
}
