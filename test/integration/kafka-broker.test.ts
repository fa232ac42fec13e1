// The test broker is real Kafka: an idempotent producer (acks -1) writes 1,000 keyed messages to a
// fresh per-run topic, a consumer group reads them all back in per-key order and commits its offsets.
// Brokers come from KAFKA_BROKERS (set by the global setup from ensureKafka() in test/support/kafka.mjs,
// or by hand: `bash test/kafka/kafka.sh start` then KAFKA_BROKERS=127.0.0.1:9092).
import kafkajs from 'kafkajs';
import type { Consumer, EachMessagePayload, Producer } from 'kafkajs';

const { Kafka, logLevel, Partitioners } = kafkajs;

// test/support/kafka.mjs is plain JavaScript without a declaration file: import it by a computed
// specifier (so TypeScript does not resolve it) and state the part of its shape used here.
interface KafkaSupport {
  createTopics(brokers: string, names: string[], partitions?: number): Promise<string[]>;
  deleteTopics(brokers: string, topics: string[]): Promise<void>;
  topicPrefix(): string;
}
const supportModule: string = '../support/kafka.mjs';

const MESSAGES = 1_000;
const KEYS = 20;
const PARTITIONS = 3;

describe('Kafka test broker', () => {
  const brokers = process.env.KAFKA_BROKERS ?? '';
  let support: KafkaSupport;
  let topic: string;
  let groupId: string;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  const kafka = new Kafka({
    clientId: 'ocu-test-kafka-broker',
    brokers: brokers.split(','),
    logLevel: logLevel.WARN,
  });

  beforeAll(async () => {
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: the global setup (or you) must point it at a broker');
    support = (await import(supportModule)) as KafkaSupport;
    [topic] = await support.createTopics(brokers, ['kafka-broker'], PARTITIONS);
    groupId = `${support.topicPrefix()}kafka-broker-group`;
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => {});
    await consumer?.disconnect().catch(() => {});
    if (support && topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.deleteGroups([groupId]).catch(() => {});
      } finally {
        await admin.disconnect();
      }
      await support.deleteTopics(brokers, [topic]);
    }
  });

  it('round-trips 1,000 messages through an idempotent producer and a consumer group, in per-key order', async () => {
    // Produce: key k carries the values "k:0", "k:1", ... in the order they are sent.
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const sent: { key: string; value: string }[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const key = `user-${i % KEYS}`;
      sent.push({ key, value: `${key}:${Math.floor(i / KEYS)}` });
    }
    for (let i = 0; i < sent.length; i += 100) {
      const results = await producer.send({ topic, acks: -1, messages: sent.slice(i, i + 100) });
      for (const r of results) expect(r.errorCode).toBe(0);
    }
    await producer.disconnect();
    producer = undefined;

    // Consume with a group from the beginning until every message is back.
    const received: { key: string; value: string; partition: number; offset: bigint }[] = [];
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let timer: NodeJS.Timeout | undefined;
    const allReceived = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${received.length} of ${MESSAGES} messages arrived within 45 s`)),
        45_000,
      );
      void consumer!.run({
        eachMessage: async ({ partition, message }: EachMessagePayload) => {
          received.push({
            key: message.key!.toString(),
            value: message.value!.toString(),
            partition,
            offset: BigInt(message.offset),
          });
          if (received.length >= MESSAGES) resolve();
        },
      });
    }).finally(() => clearTimeout(timer));
    await allReceived;
    await consumer.disconnect(); // commits the offsets of what eachMessage has handled
    consumer = undefined;

    // Exactly what was sent: same values, no duplicates, nothing missing.
    expect(received).toHaveLength(MESSAGES);
    expect(received.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value).sort());

    // Per key: one partition, values in the order they were sent.
    const byKey = new Map<string, { partitions: Set<number>; seqs: number[] }>();
    for (const m of received) {
      const entry = byKey.get(m.key) ?? { partitions: new Set<number>(), seqs: [] };
      entry.partitions.add(m.partition);
      const [key, seq] = m.value.split(':');
      expect(key).toBe(m.key);
      entry.seqs.push(Number(seq));
      byKey.set(m.key, entry);
    }
    expect(byKey.size).toBe(KEYS);
    const expectedSeqs = Array.from({ length: MESSAGES / KEYS }, (_, i) => i);
    for (const [, { partitions, seqs }] of byKey) {
      expect(partitions.size).toBe(1);
      expect(seqs).toEqual(expectedSeqs);
    }
    // Per partition: offsets strictly increasing as delivered (no gaps from the idempotent producer).
    const partitionsUsed = new Set(received.map((m) => m.partition));
    expect(partitionsUsed.size).toBeGreaterThan(1);
    for (const p of partitionsUsed) {
      const offsets = received.filter((m) => m.partition === p).map((m) => m.offset);
      offsets.forEach((o, i) => expect(o).toBe(BigInt(i)));
    }

    // The group committed its position at the end of every partition.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = committed.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(total).toBe(MESSAGES);
    } finally {
      await admin.disconnect();
    }
  });
});
