// Kafka faults on a broker of this file's own (stopped, killed, restarted; never the run's shared broker):
// Kafka down → commands keep working, events wait, readiness stays ready with the lag, the relay retries with
// back-off and catches up; the broker killed in the middle of a large relay and started again → every event
// delivered, per-user order holds, duplicates only as exact copies of an event-id, and a new producer after the
// restart (kafkajs does not recover its own).
import { randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { KafkajsEventPublisher } from '../../../src/modules/messaging/infrastructure/kafka/kafkajs-event-publisher.js';
import { pendingEventCount } from '../../../src/modules/messaging/infrastructure/persistence/postgres-relay-outbox.js';
import { startTestApp, type TestApp, uniqueEmail, uniqueNetworkId } from '../../support/app.js';
import { createUserOverHttp } from '../../support/users-api.js';
import { startDedicatedBroker, type DedicatedBroker } from './support/own-broker.js';
import { appendCommitted, committedEventIds, userEvents } from './support/events.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { createTopicsNow, type ReceivedMessage, relayEnv, relaySettings, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';
import { startTestRelay, type TestRelay } from './support/relay.js';

function metric(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Per key, the versions a consumer that dedupes on event-id handles, in arrival order. */
function dedupedVersionsByKey(messages: readonly ReceivedMessage[]): Map<string, number[]> {
  const seen = new Set<string>();
  const byKey = new Map<string, number[]>();
  for (const m of messages) {
    if (seen.has(m.headers['event-id'])) continue;
    seen.add(m.headers['event-id']);
    byKey.set(m.key, [...(byKey.get(m.key) ?? []), m.value.version]);
  }
  return byKey;
}

describe('event relay: Kafka faults (dedicated broker)', () => {
  let broker: DedicatedBroker;
  let db: FreshDatabase;

  beforeAll(async () => {
    broker = await startDedicatedBroker();
  }, 120_000);
  afterAll(async () => {
    await broker?.destroy();
  });

  beforeEach(async () => {
    db = await createFreshDatabase('faults');
    if (!broker.running) await broker.restart();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('Kafka down: commands work, events wait, /health/ready stays ready with the lag, the relay backs off and catches up', async () => {
    const topics = uniqueTopics('down');
    await broker.stop();
    const t: TestApp = await startTestApp({ DATABASE_URL: db.url, ...relayEnv(broker.brokers, topics, { KAFKA_RELAY_RETRY_MAX_MS: '400' }) });
    let recorder: TopicRecorder | undefined;
    try {
      const network = uniqueNetworkId('down');
      const started = Date.now();
      for (let i = 0; i < 5; i++) await createUserOverHttp(t, network, { email: uniqueEmail(), name: `Waiting ${i}` });
      expect(Date.now() - started).toBeLessThan(5_000); // no command waits for Kafka

      // The relay fails, again and again, with growing pauses; the service stays ready and reports the lag.
      const relay = await waitFor(
        async () => {
          const res = await t.http.get('/health/ready');
          return res.status === 200 && res.body.checks.eventRelay.consecutiveFailures >= 3 ? res.body.checks.eventRelay : undefined;
        },
        20_000,
        'three failed relay attempts while the service stays ready',
      );
      expect(relay).toMatchObject({ ok: true, enabled: true, leading: true, lagEvents: 5 });
      expect(relay.lastError).toEqual(expect.any(String));
      await waitFor(async () => (await t.http.get('/health/ready')).body.checks.eventRelay.lagSeconds > 0, 5_000, 'lag in seconds');
      const metrics = (await t.http.get('/metrics').expect(200)).text;
      expect(metric(metrics, 'event_relay_lag_events')).toBe(5);
      expect(metric(metrics, 'event_relay_lag_seconds')).toBeGreaterThan(0);
      expect(metric(metrics, 'event_relay_failures_total', '{stage="relay"}')).toBeGreaterThanOrEqual(3);
      expect(await pendingEventCount(t.runtime.dataSource)).toBe(5);

      // The broker returns: the relay creates its topics and catches up, without anyone restarting it.
      await broker.restart();
      const committed = await committedEventIds(t.runtime);
      await waitFor(async () => (await pendingEventCount(t.runtime.dataSource)) === 0, 30_000, 'the relay to catch up');
      recorder = await TopicRecorder.start(broker.brokers, [topics.users]);
      await recorder.waitForEvents(committed, 20_000);
      const after = (await t.http.get('/health/ready').expect(200)).body.checks.eventRelay;
      expect(after).toMatchObject({ ok: true, consecutiveFailures: 0, lagEvents: 0, lagSeconds: 0 });
      const published = metric((await t.http.get('/metrics')).text, 'event_relay_published_events_total', `{topic="${topics.users}"}`);
      expect(published).toBe(5);
    } finally {
      await recorder?.stop();
      await t.close();
    }
  });

  it('the broker killed in the middle of relaying a large import and started again: all delivered, order per user, duplicates only by event-id', async () => {
    const topics = uniqueTopics('restart');
    await createTopicsNow(broker.brokers, topics, { users: 3, imports: 1 });
    const runtime: OpenRuntime = await db.open();
    let relay: TestRelay | undefined;
    let recorder: TopicRecorder | undefined;
    try {
      // A large import: 1,500 users, 4 events each, written in transactions of 250 users as an import's batches are.
      const network = uniqueNetworkId('restart');
      const users = Array.from({ length: 1_500 }, () => randomUUID());
      for (let i = 0; i < users.length; i += 250) {
        await appendCommitted(runtime, users.slice(i, i + 250).map((u) => userEvents(network, u, 2)));
      }
      for (let i = 0; i < users.length; i += 250) {
        await appendCommitted(runtime, users.slice(i, i + 250).map((u) => userEvents(network, u, 2, 2)));
      }
      const committed = await committedEventIds(runtime);
      expect(committed).toHaveLength(6_000);

      // Kill the broker (SIGKILL) when the third batch has been read: its send is under way when the broker dies.
      let batches = 0;
      let killed: Promise<void> | undefined;
      relay = startTestRelay(runtime, relaySettings(broker.brokers, topics, { KAFKA_RELAY_BATCH_SIZE: '400', KAFKA_RELAY_RETRY_MAX_MS: '500' }), {
        afterRead(batch) {
          if (batch.length > 0 && ++batches === 3) killed = broker.kill();
        },
      });
      await waitFor(() => batches >= 3, 30_000, 'the third batch');
      await killed;
      await waitFor(() => relay!.relay.status().consecutiveFailures >= 2, 20_000, 'the relay to fail against the dead broker');
      const publishedBefore = relay.relay.status().publishedTotal;
      expect(publishedBefore).toBeLessThan(committed.length);
      const producersBefore = (relay.publisher as KafkajsEventPublisher).producersCreated;

      await broker.restart();
      await waitFor(async () => (await pendingEventCount(runtime.dataSource)) === 0, 60_000, 'the relay to catch up after the restart');
      // A new producer: the one from before the crash is never used again.
      expect((relay.publisher as KafkajsEventPublisher).producersCreated).toBeGreaterThan(producersBefore);

      recorder = await TopicRecorder.start(broker.brokers, [topics.users]);
      await recorder.waitForEvents(committed, 30_000);
      // Every event arrived; any extra message is a copy of one, identical to the letter.
      expect(recorder.distinctEventIds().size).toBe(committed.length);
      const firstCopy = new Map<string, string>();
      for (const m of recorder.messages) {
        const id = m.headers['event-id'];
        if (firstCopy.has(id)) expect(m.text).toBe(firstCopy.get(id));
        else firstCopy.set(id, m.text);
      }
      // A consumer that dedupes on event-id sees each user's versions 1, 2, 3, 4, in order.
      const versions = dedupedVersionsByKey(recorder.messages);
      expect(versions.size).toBe(users.length);
      for (const v of versions.values()) expect(v).toEqual([1, 2, 3, 4]);
    } finally {
      await recorder?.stop();
      await relay?.stop();
      await runtime.close();
    }
  });
});
