import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient, LogEntry, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { OutboundMessage } from '../../domain/message-contract.js';
import { EventPublisher, type TopicSpec } from '../../application/ports/event-publisher.port.js';
import { JavaCompatiblePartitioner } from './java-compatible-partitioner.js';
import { installFastProduceEncoding } from './kafkajs-fast-produce.js';
import { byTopic, chunkByBytes } from './message-chunks.js';

const { Kafka, logLevel } = kafkajs;

export interface KafkajsEventPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Most bytes of messages per produce request; below the broker's message.max.bytes (1 MiB by default). */
  readonly maxRequestBytes: number;
  readonly logger?: Logger;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** kafkajs' own retries of one request before the call fails and the relay's back-off takes over. */
  readonly retries?: number;
  /** The longest one produce call may take, retries included, before it counts as failed (default 60 s). */
  readonly sendTimeoutMs?: number;
  /** false: leave kafkajs' own Produce encoder in place (default: the faster, byte-identical one). */
  readonly fastEncoding?: boolean;
}

/** kafkajs' log lines we expect and do not want as warnings on every start. */
const EXPECTED = [
  // Deliberate: the relay retries with back-off itself, after recreating the producer (see below).
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
];

/**
 * The EventPublisher on kafkajs 2.2.4: an idempotent producer (so a retried request is not written twice, and order
 * per partition holds), acks = -1 (every in-sync replica), one produce request at a time per broker, each at most
 * maxRequestBytes. kafkajs is in maintenance mode and has known faults, handled here:
 * - after a broker restart its producer may keep using dead connections and stale metadata and never recover: after
 *   any failed call this adapter disconnects and drops the client and the producer, and the next call builds new ones;
 * - `KafkaJSNonRetriableError` (and any other kafkajs error) surfaces as a rejected promise of `publish`, which the
 *   relay retries with back-off; nothing here lets it escape to crash the process.
 */
export class KafkajsEventPublisher extends EventPublisher {
  private client: KafkaClient | undefined;
  private producer: Promise<Producer> | undefined;
  private generation = 0;

  constructor(private readonly options: KafkajsEventPublisherOptions) {
    super();
    // A third of kafkajs' CPU per message, the same bytes on the wire (see kafkajs-fast-produce.ts).
    if (options.fastEncoding !== false) installFastProduceEncoding();
  }

  /** How many producers this adapter has created (1 after the first send; more after faults). */
  get producersCreated(): number {
    return this.generation;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin: Admin = this.kafka().admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      // false when another instance created one of them in the meantime: fine either way.
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: t.replicationFactor ?? -1 })),
      });
      this.options.logger?.info({ topics: missing.map((t) => t.name) }, 'created Kafka topics');
    } catch (error) {
      await this.reset();
      throw error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const producer = await this.connectedProducer();
      for (const chunk of chunkByBytes(messages, this.options.maxRequestBytes)) {
        await this.withTimeout(producer.sendBatch({
          acks: -1,
          timeout: this.options.requestTimeoutMs ?? 30_000,
          // OutboundMessage is a kafkajs Message already (key, value, headers; its topic is ignored).
          topicMessages: byTopic(chunk) as { topic: string; messages: Message[] }[],
        }));
      }
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  /** A send that never settles (a kafkajs connection wedged by a broker restart) fails instead of stalling the relay. */
  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.sendTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge within ${ms} ms`)), ms);
    });
    work.catch(() => undefined);
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private kafka(): KafkaClient {
    this.client ??= new Kafka({
      clientId: this.options.clientId,
      brokers: [...this.options.brokers],
      connectionTimeout: this.options.connectionTimeoutMs ?? 3_000,
      requestTimeout: this.options.requestTimeoutMs ?? 30_000,
      retry: { retries: this.options.retries ?? 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.log(entry),
    });
    return this.client;
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka().producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: JavaCompatiblePartitioner,
        retry: { retries: this.options.retries ?? 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      this.generation += 1;
      const connecting = producer.connect().then(() => producer);
      // Keep a failed connect from becoming an unhandled rejection before anyone awaits it.
      connecting.catch(() => undefined);
      this.producer = connecting;
    }
    return this.producer;
  }

  /** Drops the producer and the client; the next call starts afresh (kafkajs does not always recover by itself). */
  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.client = undefined;
    if (producer) await producer.then((p) => p.disconnect()).catch(() => undefined);
  }

  private log(entry: LogEntry): void {
    const logger = this.options.logger;
    if (!logger) return;
    const { message, ...extra } = entry.log;
    if (EXPECTED.some((text) => message.includes(text))) return;
    const fields = { kafkajs: entry.namespace, ...extra };
    if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) logger.warn(fields, `kafkajs: ${message}`);
    else logger.debug(fields, `kafkajs: ${message}`);
  }
}
