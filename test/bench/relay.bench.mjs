// npm run bench:relay [-- N]: the Kafka relay's throughput, from the event store to acknowledged on the topic.
// Inserts N user events (default 1,000,000; one INSERT … SELECT generate_series, as an import's UserCreated events)
// into a fresh database, starts the relay as the application builds it (dist/, after `nest build`) against the
// broker, and times from the relay's start until the broker acknowledged the last event. Prints events/s and the
// ratio to the 50,000 events/s target, then checks that the topic holds N messages.
// Database: DATABASE_URL's server, else 127.0.0.1:5432. Broker: KAFKA_BROKERS, else the local one (test/kafka).
// Relay settings come from the environment as in production (KAFKA_RELAY_BATCH_SIZE, KAFKA_RELAY_MAX_REQUEST_BYTES,
// KAFKA_USERS_TOPIC_PARTITIONS, ...).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import kafkajs from 'kafkajs';
import { createEventRelay } from '../../dist/modules/messaging/infrastructure/event-relay.factory.js';
import { loadConfig } from '../../dist/shared/infrastructure/config/app-config.js';
import { createDataSource, runMigrations } from '../../dist/shared/infrastructure/database/data-source.factory.js';
import { ensureKafka } from '../support/kafka.mjs';

const N = Number(process.argv[2] ?? process.env.BENCH_EVENTS ?? 1_000_000);
const TARGET = 50_000;
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `ocu_bench_relay_${Date.now()}`;
const dbUrl = Object.assign(new URL(server), { pathname: `/${dbName}` }).toString();
const prefix = `ocu-bench.${Date.now().toString(36)}.`;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const log = (line) => process.stderr.write(`${line}\n`);

async function insertEvents(dataSource) {
  // One network, N users, each with its UserCreated (what a 1,000,000-row import writes), payloads of the real shape.
  // Their metadata once, as the event store stores one command's.
  await dataSource.query(`
    INSERT INTO event_metadata (id, metadata)
    VALUES ('00000000-0000-4000-8000-0000000000aa',
            json_build_object('networkId', 'bench', 'actorId', 'admin-1', 'actorEmail', 'admin@bench.example',
                              'correlationId', 'bench-correlation', 'causationId', '00000000-0000-4000-8000-000000000001',
                              'importId', '00000000-0000-4000-8000-000000000001'))`);
  await dataSource.query(`
    INSERT INTO events (event_id, network_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata_id, recorded_at)
    SELECT gen_random_uuid(), 'bench', 'user', u.id, 1, 'UserCreated', 2,
           jsonb_build_object('userId', u.id, 'networkId', 'bench', 'email', 'user' || i || '@bench.example',
                              'name', 'First' || i || ' Last' || i, 'firstName', 'First' || i, 'lastName', 'Last' || i,
                              'title', 'Engineer ' || (i % 100), 'mobile', '+91' || (7000000000 + i),
                              'managerId', md5('bench-user-' || (i / 10))::uuid::text, 'managerEmail', 'user' || (i / 10) || '@bench.example',
                              'importId', imp.id),
           '00000000-0000-4000-8000-0000000000aa',
           now()
      FROM generate_series(1, $1) AS i,
           LATERAL (SELECT md5('bench-user-' || i)::uuid AS id) AS u,
           (SELECT '00000000-0000-4000-8000-000000000001'::text AS id) AS imp`,
    [N],
  );
}

async function topicMessageCount(brokers, topic) {
  const admin = new kafkajs.Kafka({ clientId: 'ocu-bench', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopics(brokers, topics) {
  const admin = new kafkajs.Kafka({ clientId: 'ocu-bench', brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

const kafka = await ensureKafka();
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dataSource = createDataSource(dbUrl, 4);
const settings = loadConfig({
  ...process.env,
  DATABASE_URL: dbUrl,
  KAFKA_BROKERS: kafka.brokers,
  KAFKA_USERS_TOPIC: `${prefix}users.v1`,
  KAFKA_IMPORTS_TOPIC: `${prefix}imports.v1`,
  LOG_LEVEL: 'warn',
});
let parts;
try {
  await dataSource.initialize();
  await runMigrations(dataSource);
  log(`inserting ${fmt(N)} events into ${dbName}…`);
  let t = performance.now();
  await insertEvents(dataSource);
  await dataSource.query('VACUUM ANALYZE events');
  log(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  parts = createEventRelay({ dataSource, settings, logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)) });
  // Topics first, so their creation is not timed as relaying.
  await parts.publisher.ensureTopics([
    { name: settings.kafka.topics.users.name, partitions: settings.kafka.topics.users.partitions },
    { name: settings.kafka.topics.imports.name, partitions: settings.kafka.topics.imports.partitions },
  ]);
  log(`relaying to ${kafka.brokers} (${settings.kafka.topics.users.name}, ${settings.kafka.topics.users.partitions} partitions; batch ${fmt(settings.kafka.relay.batchSize)} events, requests of at most ${fmt(settings.kafka.relay.maxRequestBytes)} bytes)…`);
  t = performance.now();
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0];
  parts.relay.start();
  let lastReport = t;
  while (parts.relay.status().publishedTotal < N) {
    const status = parts.relay.status();
    if (status.consecutiveFailures > 3) throw new Error(`the relay keeps failing: ${status.lastError}`);
    if (performance.now() - lastReport > 5_000) {
      lastReport = performance.now();
      log(`  ${fmt(status.publishedTotal)} acknowledged after ${((lastReport - t) / 1000).toFixed(1)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rate = N / seconds;
  await parts.relay.stop();
  const onTopic = await topicMessageCount(kafka.brokers, settings.kafka.topics.users.name);
  process.stdout.write(
    `relay: ${fmt(N)} events from the event store to acknowledged on Kafka in ${seconds.toFixed(2)} s: ` +
      `${fmt(rate)} events/s, ${(rate / TARGET).toFixed(2)}× the ${fmt(TARGET)} events/s target` +
      ` (topic holds ${fmt(onTopic)} messages)\n` +
      `relay process CPU ${((cpu.user + cpu.system) / N).toFixed(1)} µs/event; host load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores\n`,
  );
  if (onTopic < N) throw new Error(`the topic holds ${onTopic} messages, expected at least ${N}`);
} finally {
  await parts?.relay.stop().catch(() => undefined);
  await parts?.publisher.close().catch(() => undefined);
  await dataSource.destroy().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  await deleteTopics(kafka.brokers, [settings.kafka.topics.users.name, settings.kafka.topics.imports.name]).catch(() => undefined);
  await kafka.stop?.();
}
