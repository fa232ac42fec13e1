import type { OutboundMessage } from '../../domain/message-contract.js';

/** Bytes a record adds beyond its key, value and header bytes (varints, attributes, deltas), rounded up. */
const RECORD_OVERHEAD = 24;
const HEADER_OVERHEAD = 4;

/** About how many bytes a message takes in a Kafka record batch (v2, uncompressed). */
export function approximateRecordBytes(message: OutboundMessage): number {
  let bytes = RECORD_OVERHEAD + Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const name in message.headers) {
    bytes += HEADER_OVERHEAD + name.length + Buffer.byteLength(message.headers[name as keyof typeof message.headers]);
  }
  return bytes;
}

/**
 * Splits messages, in order, into runs of at most `maxBytes` each, so no produce request (and no partition's record
 * batch in it) exceeds what the broker accepts (message.max.bytes, 1 MiB by default). A message bigger than
 * `maxBytes` on its own travels alone; the broker decides.
 */
export function chunkByBytes<T extends OutboundMessage>(messages: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const message of messages) {
    const bytes = approximateRecordBytes(message);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(message);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Groups one chunk by topic for a sendBatch, keeping the order of the messages within each topic. */
export function byTopic<T extends OutboundMessage>(messages: readonly T[]): { topic: string; messages: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const message of messages) {
    let group = groups.get(message.topic);
    if (!group) groups.set(message.topic, (group = []));
    group.push(message);
  }
  return [...groups].map(([topic, list]) => ({ topic, messages: list }));
}
