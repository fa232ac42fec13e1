// Pieces of the kafkajs adapter that need no broker: byte-bounded chunks in order, grouping by topic, the
// Java-compatible murmur2 partitioner (Kafka's own test vectors, and kafkajs' implementation on random keys),
// and the relay's configuration.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { OutboundMessage } from '../../../src/modules/messaging/domain/message-contract.js';
import { JavaCompatiblePartitioner, murmur2, partitionForKey } from '../../../src/modules/messaging/infrastructure/kafka/java-compatible-partitioner.js';
import { approximateRecordBytes, byTopic, chunkByBytes } from '../../../src/modules/messaging/infrastructure/kafka/message-chunks.js';
import { loadConfig } from '../../../src/shared/infrastructure/config/app-config.js';

const require = createRequire(import.meta.url);

function message(topic: string, valueBytes: number): OutboundMessage {
  return {
    topic,
    key: randomUUID(),
    headers: { 'event-id': randomUUID(), 'event-type': 'UserCreated', 'schema-version': '1', 'network-id': 'n', 'correlation-id': 'c', 'causation-id': 'c' },
    value: 'v'.repeat(valueBytes),
  };
}

describe('message chunks', () => {
  it('splits in order into chunks under the byte limit; a message over it travels alone', () => {
    const messages = [...Array.from({ length: 50 }, (_, i) => message(i % 2 ? 'a' : 'b', 300 + i)), message('a', 5_000), message('b', 10)];
    const chunks = chunkByBytes(messages, 2_000);
    expect(chunks.flat()).toEqual(messages);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, m) => sum + approximateRecordBytes(m), 0);
      if (chunk.length > 1) expect(bytes).toBeLessThanOrEqual(2_000);
    }
    expect(chunks.find((c) => c.includes(messages[50]))).toEqual([messages[50]]);
  });

  it('counts UTF-8 bytes, headers included', () => {
    const m = { ...message('a', 0), value: 'é'.repeat(100) };
    expect(approximateRecordBytes(m)).toBeGreaterThan(200 + m.key.length + 6 * 5);
  });

  it('groups by topic keeping each topic\'s order', () => {
    const messages = Array.from({ length: 9 }, (_, i) => message(['x', 'y', 'z'][i % 3], 1));
    const groups = byTopic(messages);
    expect(groups.map((g) => g.topic)).toEqual(['x', 'y', 'z']);
    expect(groups[1].messages).toEqual([messages[1], messages[4], messages[7]]);
  });
});

describe('Java-compatible partitioner', () => {
  it('murmur2 matches Kafka\'s Utils.murmur2 test vectors', () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect([key, murmur2(Buffer.from(key))]).toEqual([key, hash]);
  });

  it('agrees with kafkajs\' DefaultPartitioner on 20,000 random keys', () => {
    const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
    for (let i = 0; i < 20_000; i++) {
      const key = randomBytes(i % 64);
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
    const metadata = Array.from({ length: 12 }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
    const ours = JavaCompatiblePartitioner();
    const theirs = require('kafkajs').Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2_000; i++) {
      const args = { topic: 't', partitionMetadata: metadata, message: { key: randomUUID(), value: 'v' } };
      expect(ours(args)).toBe(theirs(args));
    }
    expect(partitionForKey('user-1', 12)).toBe(ours({ topic: 't', partitionMetadata: metadata, message: { key: 'user-1', value: null } }));
  });

  it('honours an explicit partition and spreads keyless messages over partitions with a leader', () => {
    const metadata = [
      { partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 },
      { partitionId: 1, leader: -1, replicas: [1], isr: [], partitionErrorCode: 0 },
      { partitionId: 2, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 },
    ];
    const partition = JavaCompatiblePartitioner();
    expect(partition({ topic: 't', partitionMetadata: metadata, message: { key: 'k', value: 'v', partition: 1 } })).toBe(1);
    const used = new Set(Array.from({ length: 20 }, () => partition({ topic: 't', partitionMetadata: metadata, message: { value: 'v' } })));
    expect([...used].sort()).toEqual([0, 2]);
  });
});

describe('relay configuration', () => {
  it('defaults: the issue\'s topics, relay on when brokers are set', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092' });
    expect(config.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(config.kafka).toEqual({
      clientId: 'office-chat-users',
      topics: { users: { name: 'office-chat.users.v1', partitions: 12 }, imports: { name: 'office-chat.imports.v1', partitions: 3 } },
      replicationFactor: undefined,
      relay: { enabled: true, batchSize: 10_000, maxRequestBytes: 900_000, intervalMs: 200, retryMaxMs: 30_000, leaderPollMs: 2_000 },
    });
    expect(loadConfig({}).kafkaBrokers).toEqual([]);
  });

  it('takes names, partitions and relay settings from the environment, and refuses a bad topic name', () => {
    const config = loadConfig({
      KAFKA_USERS_TOPIC: 'acme.users',
      KAFKA_USERS_TOPIC_PARTITIONS: '24',
      KAFKA_IMPORTS_TOPIC: 'acme.imports',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_RELAY_BATCH_SIZE: '500',
      KAFKA_RELAY_ENABLED: 'false',
    });
    expect(config.kafka.topics.users).toEqual({ name: 'acme.users', partitions: 24 });
    expect(config.kafka.topics.imports.name).toBe('acme.imports');
    expect(config.kafka.replicationFactor).toBe(3);
    expect(config.kafka.relay).toMatchObject({ batchSize: 500, enabled: false });
    expect(() => loadConfig({ KAFKA_USERS_TOPIC: 'bad topic!' })).toThrow(/KAFKA_USERS_TOPIC/);
  });
});
