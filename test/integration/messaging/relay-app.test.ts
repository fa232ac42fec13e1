// The relay inside the real application: topics created on start-up, real commands and a real CSV import over
// HTTP, every message consumed from the broker and validated against asyncapi.yaml (ajv 2020), keys, headers,
// per-user order; /health/ready and /metrics; and the relay off when KAFKA_BROKERS is unset.
import { randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { pendingEventCount } from '../../../src/modules/messaging/infrastructure/persistence/postgres-relay-outbox.js';
import { startTestApp, type TestApp, uniqueEmail, uniqueNetworkId } from '../../support/app.js';
import { eventStoreOn, newEvent } from '../../support/database.js';
import { csv, importCsv } from '../../support/imports.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';
import { loadAsyncApiFor } from './support/asyncapi.js';
import { committedEventIds } from './support/events.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relayEnv, runBrokers, testKafka, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';

const brokers = runBrokers();

async function topicPartitions(topics: string[]): Promise<Map<string, number> | undefined> {
  const admin = testKafka(brokers, 'ocu-test-admin').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    if (!topics.every((t) => existing.has(t))) return undefined;
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    return new Map(meta.map((m) => [m.name, m.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

function metric(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('event relay in the application, KAFKA_BROKERS set', () => {
  const topics = uniqueTopics('app');
  let db: FreshDatabase;
  let t: TestApp;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    db = await createFreshDatabase('app');
    t = await startTestApp({
      DATABASE_URL: db.url,
      ...relayEnv(brokers, topics, { KAFKA_USERS_TOPIC_PARTITIONS: '4', KAFKA_IMPORTS_TOPIC_PARTITIONS: '2' }),
      IMPORT_WORKER_ENABLED: 'true',
      IMPORT_BATCH_SIZE: '2',
    });
  });

  afterAll(async () => {
    await recorder?.stop();
    await t?.close();
    await db?.drop();
  });

  it('creates its topics on start-up, with the configured partition counts', async () => {
    const partitions = await waitFor(() => topicPartitions([topics.users, topics.imports]), 20_000, 'the relay to create its topics');
    expect(Object.fromEntries(partitions)).toEqual({ [topics.users]: 4, [topics.imports]: 2 });
    recorder = await TopicRecorder.start(brokers, [topics.users, topics.imports]);
  });

  it('publishes every event of real commands and a real import, each conforming to asyncapi.yaml', async () => {
    const network = uniqueNetworkId('relay');
    const auth = await t.authHeader([network], 'relay-admin@acme.example');
    const boss = await createUserOverHttp(t, network, { email: uniqueEmail('boss', 'acme.example'), name: 'Boss', title: 'CEO', mobile: '+44 20 7946 0958' });
    const will = await createUserOverHttp(t, network, { email: uniqueEmail('will', 'acme.example'), name: 'Will', firstName: 'Will', managerEmail: boss.email });
    await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set('X-Causation-Id', 'cause-42').send({ title: 'CTO', lastName: null }).expect(200);
    await t.http.post(usersPath(network, `/${will.id}/deactivate`)).set(auth).expect(200);
    await t.http.post(usersPath(network, `/${will.id}/activate`)).set(auth).expect(200);
    await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).send({ managerId: null }).expect(200);
    await t.http.post(usersPath(network, `/${boss.id}/invitation`)).set(auth).expect(200);
    const report = await importCsv(
      t,
      network,
      csv('email/login,name,title,manager', 'ann@acme.example,Ann,Dev,bob@acme.example', 'bob@acme.example,Bob,Lead,', 'carl@acme.example,Carl,,', 'bad,Bad,,'),
      { mode: 'update', autoSendInvites: 'true' },
    );
    expect(report.counts.created).toBe(3);

    const committed = await committedEventIds(t.runtime);
    await recorder.waitForEvents(committed, 30_000);
    // Published == committed (a clean run sends each once).
    expect(recorder.eventIds().sort()).toEqual([...committed].sort());

    const contract = loadAsyncApiFor(topics);
    const violations = recorder.messages.flatMap((m) => contract.check(m.topic, m).map((v) => `${m.headers['event-type']} ${m.headers['event-id']}: ${v}`));
    expect(violations).toEqual([]);

    // Every documented type but ImportFailed went through the real application (the import did not fail).
    const seen = new Set(recorder.messages.map((m) => m.headers['event-type']));
    const documented = [...contract.eventTypes(topics.users), ...contract.eventTypes(topics.imports)];
    expect(documented.filter((type) => !seen.has(type))).toEqual(['ImportFailed']);

    for (const m of recorder.messages) {
      // The key is the stream: the user id on the users topic, the import id on the imports topic.
      expect(m.key).toBe(m.value.streamId);
      expect(m.topic).toBe(m.value.type.startsWith('Import') ? topics.imports : topics.users);
      if (m.topic === topics.users) expect(m.key).toBe(m.value.data.userId);
      else expect(m.key).toBe(m.value.data.importId);
      // The value repeats the headers.
      expect(m.value).toMatchObject({
        eventId: m.headers['event-id'],
        type: m.headers['event-type'],
        schemaVersion: Number(m.headers['schema-version']),
        networkId: m.headers['network-id'],
        correlationId: m.headers['correlation-id'],
        causationId: m.headers['causation-id'],
      });
      expect(m.value.networkId).toBe(network);
    }

    // Causation: the header the request named; an import's rows name the import; otherwise the request itself.
    const updated = recorder.messages.find((m) => m.value.type === 'UserProfileUpdated' && m.key === will.id && m.value.data.changes.title === 'CTO')!;
    expect(updated.headers['causation-id']).toBe('cause-42');
    const imported = recorder.messages.filter((m) => m.value.importId === report.id && m.topic === topics.users);
    expect(imported.length).toBeGreaterThanOrEqual(3);
    for (const m of imported) expect(m.headers['causation-id']).toBe(report.id);
    const created = recorder.messages.find((m) => m.value.type === 'UserCreated' && m.key === boss.id)!;
    expect(created.headers['causation-id']).toBe(created.headers['correlation-id']);
    expect(updated.value.actor).toEqual({ id: 'admin:relay-admin@acme.example', email: 'relay-admin@acme.example' });

    // Per user and per import: one partition, versions 1, 2, 3, ... in order.
    const streams = new Map<string, { partitions: Set<number>; versions: number[] }>();
    for (const m of recorder.messages) {
      const s = streams.get(m.key) ?? { partitions: new Set<number>(), versions: [] };
      s.partitions.add(m.partition);
      s.versions.push(m.value.version);
      streams.set(m.key, s);
    }
    for (const { partitions, versions } of streams.values()) {
      expect(partitions.size).toBe(1);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    expect(streams.get(will.id)!.versions.length).toBe(5); // created with a manager, edited, deactivated, activated, manager removed
  });

  it('sends a user stream an earlier release stored upcast: UserCreated schema 1 goes out as schema 2 with no manager, its UserManagerAssigned after it', async () => {
    const network = uniqueNetworkId('relay-v1');
    const boss = await createUserOverHttp(t, network, { email: uniqueEmail('boss', 'acme.example'), name: 'Boss' });
    const userId = randomUUID();
    const v1 = { userId, networkId: network, email: uniqueEmail('old', 'acme.example'), name: 'Old', firstName: null, lastName: null, title: null, mobile: null };
    const metadata = { networkId: network, actorId: 'admin:old-release', correlationId: `corr-${randomUUID()}` };
    const stored = [
      newEvent('UserCreated', v1, metadata, { schemaVersion: 1 }),
      newEvent('UserManagerAssigned', { userId, managerId: boss.id, managerEmail: boss.email }, metadata),
    ];
    const store = eventStoreOn(t.runtime as OpenRuntime);
    await store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'user', streamId: userId, expectedVersion: 0, events: stored }]));

    await recorder.waitForEvents(stored.map((e) => e.eventId), 30_000);
    const sent = recorder.messages.filter((m) => m.key === userId);
    expect(sent.map((m) => [m.headers['event-type'], m.headers['schema-version'], m.value.version])).toEqual([
      ['UserCreated', '2', 1],
      ['UserManagerAssigned', '1', 2],
    ]);
    expect(sent[0].value.data).toEqual({ ...v1, managerId: null, managerEmail: null });
    expect(sent[1].value.data).toEqual({ userId, managerId: boss.id, managerEmail: boss.email });
    const contract = loadAsyncApiFor(topics);
    expect(sent.flatMap((m) => contract.check(m.topic, m))).toEqual([]);
  });

  it('a dry run says so on each of its import events after ImportStarted (dryRun true), a real import too (false); a dry run sends no user event', async () => {
    const network = uniqueNetworkId('relay-dry');
    const file = csv('email/login,name,manager', 'ann@acme.example,Ann,ghost@acme.example', 'bob@acme.example,Bob,');
    const dry = await importCsv(t, network, file, { dryRun: 'true' });
    const real = await importCsv(t, network, file);
    const committed = await committedEventIds(t.runtime);
    await recorder.waitForEvents(committed, 30_000);
    const flags = (importId: string) =>
      recorder.messages.filter((m) => m.key === importId).map((m) => [m.value.type, m.value.type === 'ImportStarted' ? undefined : m.value.data.dryRun]);
    expect(flags(dry.id)).toEqual([
      ['ImportStarted', undefined],
      ['ImportBatchApplied', true],
      ['ImportManagersLinked', true],
      ['ImportCompleted', true],
    ]);
    expect(flags(real.id).slice(1).map(([, flag]) => flag)).toEqual([false, false, false]);
    expect(recorder.messages.filter((m) => m.topic === topics.users && m.value.importId === dry.id)).toEqual([]);
    const contract = loadAsyncApiFor(topics);
    expect(recorder.messages.filter((m) => m.key === dry.id).flatMap((m) => contract.check(m.topic, m))).toEqual([]);
  });

  it('sends an import stream an earlier release stored upcast: its events of schema 1 go out as schema 2 with dryRun null', async () => {
    const network = uniqueNetworkId('relay-import-v1');
    const importId = randomUUID();
    const counts = { rows: 1, created: 1, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 };
    const metadata = { networkId: network, actorId: 'admin:old-release', correlationId: `corr-${randomUUID()}`, importId };
    const started = {
      importId, networkId: network, fileName: 'old.csv', sha256: 'ab'.repeat(32), sizeBytes: 30, mode: 'skip', autoSendInvites: false, dryRun: true,
      requestedBy: { id: 'admin:old-release', email: null },
    };
    const stored = [
      newEvent('ImportStarted', started, metadata),
      newEvent('ImportBatchApplied', { importId, batch: 1, fromLine: 2, throughLine: 2, counts }, metadata, { schemaVersion: 1 }),
      newEvent('ImportCompleted', { importId, counts, warnings: 0 }, metadata, { schemaVersion: 1 }),
    ];
    const store = eventStoreOn(t.runtime as OpenRuntime);
    await store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'import', streamId: importId, expectedVersion: 0, events: stored }]));

    await recorder.waitForEvents(stored.map((e) => e.eventId), 30_000);
    const sent = recorder.messages.filter((m) => m.key === importId);
    expect(sent.map((m) => [m.headers['event-type'], m.headers['schema-version'], m.value.data.dryRun])).toEqual([
      ['ImportStarted', '1', true],
      ['ImportBatchApplied', '2', null],
      ['ImportCompleted', '2', null],
    ]);
    const contract = loadAsyncApiFor(topics);
    expect(sent.flatMap((m) => contract.check(m.topic, m))).toEqual([]);
  });

  it('/health/ready reports the relay (leading, no lag) and /metrics its lag and published totals', async () => {
    await waitFor(async () => (await pendingEventCount(t.runtime.dataSource)) === 0, 10_000, 'no lag');
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks.eventRelay).toMatchObject({ ok: true, enabled: true, leading: true, consecutiveFailures: 0, lagEvents: 0, lagSeconds: 0 });
    const published = recorder.distinctEventIds().size;
    const metrics = await t.http.get('/metrics').expect(200);
    const users = metric(metrics.text, 'event_relay_published_events_total', `{topic="${topics.users}"}`)!;
    const imports = metric(metrics.text, 'event_relay_published_events_total', `{topic="${topics.imports}"}`)!;
    expect(users + imports).toBe(published);
    expect(imports).toBeGreaterThan(0);
    expect(metric(metrics.text, 'event_relay_lag_events')).toBe(0);
    expect(metric(metrics.text, 'event_relay_lag_seconds')).toBe(0);
    expect(metric(metrics.text, 'event_relay_leader')).toBe(1);
  });
});

describe('event relay in the application, KAFKA_BROKERS unset', () => {
  let db: FreshDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createFreshDatabase('off');
    t = await startTestApp({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('is off: commands work, their events wait in PostgreSQL, and readiness, metrics and pendingEventCount say how many', async () => {
    const network = uniqueNetworkId('off');
    await createUserOverHttp(t, network, { email: uniqueEmail(), name: 'Off' });
    await createUserOverHttp(t, network, { email: uniqueEmail(), name: 'Off Too' });
    expect(await pendingEventCount(t.runtime.dataSource)).toBe(2);
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.checks.eventRelay).toMatchObject({ ok: true, enabled: false, lagEvents: 2 });
    expect(ready.body.checks.eventRelay.lagSeconds).toBeGreaterThanOrEqual(0);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metric(metrics.text, 'event_relay_lag_events')).toBe(2);
    expect(metric(metrics.text, 'event_relay_leader')).toBe(0);
    const [{ published }] = await (t.runtime as OpenRuntime).dataSource.query(`SELECT published_total::int AS published FROM event_relay_checkpoints`);
    expect(published).toBe(0);
  });
});
