// kafkajs gives up for good on some errors: KafkaJSNonRetriableError (e.g. KafkaJSNumberOfRetriesExceeded when the
// broker stays unreachable) and protocol errors it marks not retriable (a record larger than the topic accepts).
// Neither may crash the process or skip an event: the publisher rejects, the relay keeps the event, retries with
// back-off, reports it, and delivers it once the cause is gone.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { KafkajsEventPublisher } from '../../../src/modules/messaging/infrastructure/kafka/kafkajs-event-publisher.js';
import { toOutboundMessage } from '../../../src/modules/messaging/domain/message-contract.js';
import { pendingEventCount } from '../../../src/modules/messaging/infrastructure/persistence/postgres-relay-outbox.js';
import { uniqueNetworkId } from '../../support/app.js';
import { appendCommitted, userEvents } from './support/events.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relaySettings, runBrokers, testKafka, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';
import { startTestRelay, type TestRelay } from './support/relay.js';

const { ConfigResourceTypes, KafkaJSNonRetriableError } = kafkajs;
const brokers = runBrokers();

describe('event relay: KafkaJSNonRetriableError', () => {
  let db: FreshDatabase;
  let runtime: OpenRuntime;
  let relay: TestRelay | undefined;
  let recorder: TopicRecorder | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    db = await createFreshDatabase('nonretriable');
    runtime = await db.open();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await recorder?.stop();
    await relay?.stop();
    await runtime?.close();
    await db?.drop();
  });

  it('the kafkajs publisher turns KafkaJSNonRetriableError into a rejected publish, then starts afresh', async () => {
    const topics = uniqueTopics('unreachable');
    const event = userEvents(uniqueNetworkId('x'), randomUUID(), 1).events[0];
    const message = toOutboundMessage(
      {
        ...event,
        transactionId: '1',
        position: '1',
        networkId: 'x',
        streamType: 'user',
        streamId: randomUUID(),
        streamVersion: 1,
        dataJson: JSON.stringify(event.data),
        recordedAt: event.recordedAt.toISOString(),
      },
      topics,
    );
    // Nothing listens on port 1: kafkajs retries, then gives up with KafkaJSNumberOfRetriesExceeded.
    const dead = new KafkajsEventPublisher({ brokers: ['127.0.0.1:1'], clientId: 'ocu-test', maxRequestBytes: 100_000, retries: 1, connectionTimeoutMs: 200 });
    const failure = await dead.publish([message]).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((failure as Error).name).toBe('KafkaJSNumberOfRetriesExceeded');
    await expect(dead.publish([message])).rejects.toBeInstanceOf(KafkaJSNonRetriableError);
    expect(dead.producersCreated).toBe(2); // a new client and producer for the second call, not the dead one
    await dead.close();
    expect(unhandled).toEqual([]);
  });

  it('does not crash or skip: retries with back-off and delivers once the broker accepts the record', async () => {
    const topics = uniqueTopics('too-large');
    const admin = testKafka(brokers, 'ocu-test-admin').admin();
    await admin.connect();
    try {
      // A users topic that refuses records over 2,000 bytes.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: topics.users, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
          { topic: topics.imports, numPartitions: 1 },
        ],
      });
      const network = uniqueNetworkId('big');
      const small = await appendCommitted(runtime, [userEvents(network, randomUUID(), 1)]);
      const big = userEvents(network, randomUUID(), 2);
      (big.events[1].data as { changes: { title: string } }).changes.title = 'x'.repeat(5_000);
      const bigIds = await appendCommitted(runtime, [big]);
      const after = await appendCommitted(runtime, [userEvents(network, randomUUID(), 1)]);

      relay = startTestRelay(runtime, relaySettings(brokers, topics, { KAFKA_RELAY_BATCH_SIZE: '1', KAFKA_RELAY_RETRY_MAX_MS: '300' }));
      recorder = await TopicRecorder.start(brokers, [topics.users]);
      await waitFor(() => relay!.relay.status().consecutiveFailures >= 3, 30_000, 'three failed attempts at the big record');
      expect(relay.relay.status().lastError).toMatch(/KafkaJSNonRetriableError|KafkaJSProtocolError|larger than/);
      // Order holds: the event before it went, the big one and everything after it wait (nothing is skipped).
      await recorder.waitForEvents([...small, bigIds[0]], 20_000);
      expect(recorder.distinctEventIds().has(bigIds[1])).toBe(false);
      expect(recorder.distinctEventIds().has(after[0])).toBe(false);
      expect(await pendingEventCount(runtime.dataSource)).toBe(2);

      // The operator raises the limit: the relay, still running, delivers the rest.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.users, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }],
      });
      await recorder.waitForEvents([...bigIds, ...after], 30_000);
      expect(relay.relay.status().consecutiveFailures).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
