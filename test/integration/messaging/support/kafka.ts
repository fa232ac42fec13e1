/**
 * Kafka for the relay tests: the run's broker (KAFKA_BROKERS, set by the jest global setup), per-test topic names
 * under the run's prefix, and a recorder that consumes topics from the beginning into memory.
 */
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Consumer, Kafka as KafkaClient } from 'kafkajs';
import { loadConfig } from '../../../../src/shared/infrastructure/config/app-config.js';
import type { RelaySettings } from '../../../../src/modules/messaging/infrastructure/event-relay.factory.js';
import type { TopicNames } from '../../../../src/modules/messaging/domain/message-contract.js';

const { Kafka, logLevel } = kafkajs;

export function runBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: the jest global setup starts a broker unless TEST_KAFKA=off');
  return brokers;
}

/** Topic names no other test uses: `<run prefix><label>.<random>.users.v1` and `... .imports.v1`. */
export function uniqueTopics(label: string): TopicNames {
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? `ocu-test.${Date.now().toString(36)}.`;
  const base = `${prefix}${label}.${randomBytes(3).toString('hex')}`;
  return { users: `${base}.users.v1`, imports: `${base}.imports.v1` };
}

/** Application settings for a relay on these brokers and topics, tuned for tests (short pauses and back-off). */
export function relayEnv(brokers: string, topics: TopicNames, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers,
    KAFKA_USERS_TOPIC: topics.users,
    KAFKA_IMPORTS_TOPIC: topics.imports,
    KAFKA_USERS_TOPIC_PARTITIONS: '3',
    KAFKA_IMPORTS_TOPIC_PARTITIONS: '2',
    KAFKA_RELAY_INTERVAL_MS: '20',
    KAFKA_RELAY_RETRY_MAX_MS: '1000',
    KAFKA_RELAY_LEADER_POLL_MS: '200',
    ...overrides,
  };
}

export function relaySettings(brokers: string, topics: TopicNames, overrides: Record<string, string> = {}): RelaySettings {
  return loadConfig(relayEnv(brokers, topics, overrides));
}

export function testKafka(brokers: string, clientId = 'ocu-test-relay'): KafkaClient {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  /** The raw value text. */
  readonly text: string;
  /** The value, parsed. */
  readonly value: Record<string, any>;
}

/** Polls until `check` returns something other than undefined (or false), else fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Consumes topics from the beginning, in a group of its own, into `messages`. */
export class TopicRecorder {
  readonly messages: ReceivedMessage[] = [];
  private constructor(
    private readonly consumer: Consumer,
    private readonly kafka: KafkaClient,
    readonly groupId: string,
  ) {}

  /** Starts once the topics exist (a relay creates its topics when it first leads). */
  static async start(brokers: string, topics: string[], timeoutMs = 20_000): Promise<TopicRecorder> {
    const kafka = testKafka(brokers, 'ocu-test-recorder');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => {
        const existing = new Set(await admin.listTopics());
        return topics.every((t) => existing.has(t));
      }, timeoutMs, `topics ${topics.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
    const groupId = `${process.env.KAFKA_TOPIC_PREFIX ?? 'ocu-test.'}recorder.${randomBytes(4).toString('hex')}`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    const recorder = new TopicRecorder(consumer, kafka, groupId);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const text = m.value?.toString() ?? '';
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
          recorder.messages.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key?.toString() ?? '',
            headers,
            text,
            value: text ? JSON.parse(text) : {},
          });
        }
      },
    });
    return recorder;
  }

  eventIds(): string[] {
    return this.messages.map((m) => m.headers['event-id']);
  }

  distinctEventIds(): Set<string> {
    return new Set(this.eventIds());
  }

  /** Waits until every one of these event ids has arrived. */
  async waitForEvents(eventIds: Iterable<string>, timeoutMs: number): Promise<void> {
    const wanted = [...eventIds];
    await waitFor(
      () => {
        const seen = this.distinctEventIds();
        return wanted.every((id) => seen.has(id));
      },
      timeoutMs,
      `${wanted.length} events on Kafka (have ${this.distinctEventIds().size} distinct)`,
    ).catch((error: Error) => {
      const seen = this.distinctEventIds();
      const missing = wanted.filter((id) => !seen.has(id));
      throw new Error(`${error.message}; missing ${missing.length}, e.g. ${missing.slice(0, 3).join(', ')}`);
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Creates the topics now (tests that subscribe before a relay has created them). */
export async function createTopicsNow(brokers: string, topics: TopicNames, partitions = { users: 3, imports: 2 }): Promise<void> {
  const admin = testKafka(brokers, 'ocu-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.users, numPartitions: partitions.users },
        { topic: topics.imports, numPartitions: partitions.imports },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
