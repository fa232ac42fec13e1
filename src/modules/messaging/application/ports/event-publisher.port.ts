import type { OutboundMessage } from '../../domain/message-contract.js';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Unset: the broker's default. */
  readonly replicationFactor?: number;
}

/**
 * Sends messages to the broker. The relay knows nothing else of the client, so it can be swapped (kafkajs is in
 * maintenance mode) without touching the relay. An adapter recovers from its own client's faults: after a failed
 * call, the next call must work again once the broker does (a fresh connection or client if need be).
 */
export abstract class EventPublisher {
  /** Creates the topics that do not exist yet; leaves existing ones as they are. */
  abstract ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * Sends the messages, in order per key, and resolves only once the broker acknowledged every one of them with
   * all in-sync replicas (acks=all). Rejects otherwise: then any number of them may have been written.
   */
  abstract publish(messages: readonly OutboundMessage[]): Promise<void>;
  /** Disconnects; a later call connects again. */
  abstract close(): Promise<void>;
}
