import { createRequire } from 'node:module';

/**
 * A faster encoder for kafkajs 2.2.4's Produce requests (v3 to v7, uncompressed, no per-message timestamps: what the
 * relay sends), byte for byte the request kafkajs itself would encode (test/unit/messaging/kafkajs-fast-produce.test.ts
 * compares the two on random batches).
 *
 * Why: kafkajs encodes each record through a chain of small zero-filled buffers (a 512-byte Buffer.alloc for the
 * record and for each of its headers, grown and copied, then the record batch copied twice more), which costs about
 * 30 µs of CPU per message on the development machine, the relay's bottleneck. This writes the whole request into one
 * buffer sized in a first pass: about a third of that.
 *
 * How: kafkajs looks up its request encoders at call time through `require('kafkajs/src/protocol/requests/produce')
 * .protocol`; that property is replaced by a wrapper that keeps kafkajs' request (api key, version, response parser)
 * and swaps its `encode` for this one when the arguments are of the supported kind, else leaves kafkajs' own. Only
 * for the exact kafkajs version it was written against (kafkajs is in maintenance mode and pinned); any other
 * version keeps kafkajs' encoder untouched.
 */

const require = createRequire(import.meta.url);

const SUPPORTED_KAFKAJS = '2.2.4';
const MAGIC = 2;
const TRANSACTIONAL_FLAG = 16;

type HeaderValue = string | Buffer | null | undefined | (string | Buffer)[];
interface ProduceMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, HeaderValue>;
  timestamp?: string | number;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}
interface TopicData {
  topic: string;
  partitions: PartitionData[];
}
interface LongLike {
  getHighBits(): number;
  getLowBits(): number;
}
export interface ProduceArgs {
  acks: number;
  timeout: number;
  compression?: number;
  topicData: TopicData[];
  transactionalId?: string | null;
  producerId?: LongLike | number;
  producerEpoch?: number;
}

/** What kafkajs' protocol/request.js needs from an encoded payload. */
export interface EncodedPayload {
  readonly buf: Buffer;
  readonly offset: number;
  readonly buffer: Buffer;
  size(): number;
}

/** CRC-32C (Castagnoli), slicing by 8: the checksum Kafka requires over each record batch, ~4× kafkajs' byte loop. */
const CRC_TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t][n] = (tables[t - 1][n] >>> 8) ^ tables[0][tables[t - 1][n] & 0xff];
  }
  return tables;
})();

export function crc32c(buf: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let crc = -1;
  let i = 0;
  const end8 = buf.length - (buf.length & 7);
  for (; i < end8; i += 8) {
    const a = crc ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    crc =
      t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[buf[i + 4]] ^ t2[buf[i + 5]] ^ t1[buf[i + 6]] ^ t0[buf[i + 7]];
  }
  for (; i < buf.length; i++) crc = t0[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): LongLike; fromInt(value: number): LongLike };

function sizeOfVarInt(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while ((v & 0xffffff80) !== 0) {
    bytes += 1;
    v >>>= 7;
  }
  return bytes;
}

function writeVarInt(buf: Buffer, offset: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while ((v & 0xffffff80) !== 0) {
    buf[offset++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[offset++] = v;
  return offset;
}

/** Strings up to this length are measured and copied in JavaScript (no native call) when they are ASCII. */
const SHORT = 64;

function byteLength(value: string | Buffer): number {
  if (typeof value !== 'string') return value.length;
  if (value.length <= SHORT) {
    let ascii = true;
    for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) ascii = false;
    if (ascii) return value.length;
  }
  return Buffer.byteLength(value, 'utf8');
}

function writeBytes(buf: Buffer, offset: number, value: string | Buffer, length: number): number {
  if (typeof value !== 'string') {
    value.copy(buf, offset);
  } else if (length === value.length && length <= SHORT) {
    // ASCII (its UTF-8 length is its length): byte by byte.
    for (let i = 0; i < length; i++) buf[offset + i] = value.charCodeAt(i);
  } else {
    buf.write(value, offset, length, 'utf8');
  }
  return offset + length;
}

function writeInt64(buf: Buffer, offset: number, value: LongLike): number {
  buf.writeInt32BE(value.getHighBits(), offset);
  buf.writeInt32BE(value.getLowBits(), offset + 4);
  return offset + 8;
}

/** Adds a header's name and value lengths to `lengths`, returns its encoded size. */
function sizeOfHeader(nameLength: number, value: string | Buffer | null | undefined, lengths: number[]): number {
  lengths.push(nameLength);
  let size = sizeOfVarInt(nameLength) + nameLength;
  if (value === null || value === undefined) return size + 1;
  const n = byteLength(value);
  lengths.push(n);
  size += sizeOfVarInt(n) + n;
  return size;
}

function writeHeader(
  buf: Buffer,
  o: number,
  name: string,
  value: string | Buffer | null | undefined,
  lengths: number[],
  nameAt: number,
  valueAt: number,
): number {
  const k = lengths[nameAt];
  o = writeVarInt(buf, o, k);
  o = writeBytes(buf, o, name, k);
  if (value === null || value === undefined) return writeVarInt(buf, o, -1);
  const n = lengths[valueAt];
  o = writeVarInt(buf, o, n);
  return writeBytes(buf, o, value, n);
}

/** Whether this encoder produces exactly what kafkajs would for these arguments. */
export function isFastPathEligible(args: ProduceArgs): boolean {
  if ((args.compression ?? 0) !== 0) return false;
  for (const t of args.topicData) {
    for (const p of t.partitions) {
      for (const m of p.messages) {
        if (m.timestamp !== null && m.timestamp !== undefined) return false;
        const value = m.value as unknown;
        const key = m.key as unknown;
        if (value !== null && value !== undefined && typeof value !== 'string' && !Buffer.isBuffer(value)) return false;
        if (key !== null && key !== undefined && typeof key !== 'string' && !Buffer.isBuffer(key)) return false;
        for (const name in m.headers) {
          const h = m.headers[name];
          for (const v of Array.isArray(h) ? h : [h]) if (typeof v !== 'string' && !Buffer.isBuffer(v)) return false;
        }
      }
    }
  }
  return true;
}

/** The Produce request body (transactional id to topic data), as kafkajs' v3 request encodes it. `now` = Date.now(). */
export function encodeProduceRequest(args: ProduceArgs, now: number = Date.now()): EncodedPayload {
  const transactionalId = args.transactionalId ?? null;
  const producerId = args.producerId === undefined ? Long.fromInt(-1) : Long.fromValue(args.producerId);
  const producerEpoch = args.producerEpoch ?? 0;
  const attributes = transactionalId ? TRANSACTIONAL_FLAG : 0;

  // Pass 1: every length, so the request is written into a single buffer.
  const recordLengths: number[][] = [];
  const headerCounts: number[] = [];
  const fieldLengths: number[] = []; // key, value, then name/value of each header, per record, in order
  let total = 2 + (transactionalId === null ? 0 : Buffer.byteLength(transactionalId)) + 2 + 4 + 4;
  for (const t of args.topicData) {
    total += 2 + Buffer.byteLength(t.topic) + 4;
    for (const p of t.partitions) {
      const lengths: number[] = [];
      // partition + record_set size + firstOffset + batch length + leader epoch + magic + crc + attributes
      // + lastOffsetDelta + first/max timestamp + producer id + epoch + first sequence + record count
      total += 4 + 4 + 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
      p.messages.forEach((m, i) => {
        let body = 1 + 1 + sizeOfVarInt(i); // attributes, timestamp delta (0), offset delta
        if (m.key === null || m.key === undefined) body += 1;
        else {
          const n = byteLength(m.key);
          fieldLengths.push(n);
          body += sizeOfVarInt(n) + n;
        }
        if (m.value === null || m.value === undefined) body += 1;
        else {
          const n = byteLength(m.value);
          fieldLengths.push(n);
          body += sizeOfVarInt(n) + n;
        }
        // Headers as kafkajs flattens them: an array value is one header per element, in order.
        let count = 0;
        const headers = m.headers;
        for (const name in headers) {
          const k = byteLength(name);
          const h = headers[name];
          if (Array.isArray(h)) {
            for (const value of h) body += sizeOfHeader(k, value, fieldLengths);
            count += h.length;
          } else {
            body += sizeOfHeader(k, h, fieldLengths);
            count += 1;
          }
        }
        headerCounts.push(count);
        body += sizeOfVarInt(count);
        lengths.push(body);
        total += sizeOfVarInt(body) + body;
      });
      recordLengths.push(lengths);
    }
  }

  // Pass 2: write.
  const buf = Buffer.allocUnsafe(total);
  let o = 0;
  if (transactionalId === null) o = buf.writeInt16BE(-1, o);
  else {
    const n = Buffer.byteLength(transactionalId);
    o = buf.writeInt16BE(n, o);
    o = writeBytes(buf, o, transactionalId, n);
  }
  o = buf.writeInt16BE(args.acks, o);
  o = buf.writeInt32BE(args.timeout, o);
  o = buf.writeInt32BE(args.topicData.length, o);
  const nowLong = Long.fromValue(now);
  let partitionIndex = 0;
  let field = 0;
  let record = 0;
  for (const t of args.topicData) {
    const topicLength = Buffer.byteLength(t.topic);
    o = buf.writeInt16BE(topicLength, o);
    o = writeBytes(buf, o, t.topic, topicLength);
    o = buf.writeInt32BE(t.partitions.length, o);
    for (const p of t.partitions) {
      const lengths = recordLengths[partitionIndex++];
      let recordsBytes = 0;
      for (const body of lengths) recordsBytes += sizeOfVarInt(body) + body;
      const batchLength = 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4 + recordsBytes; // from leader epoch to the end
      o = buf.writeInt32BE(p.partition, o);
      o = buf.writeInt32BE(8 + 4 + batchLength, o); // record_set size
      o = writeInt64(buf, o, Long.fromInt(0)); // first offset
      o = buf.writeInt32BE(batchLength, o);
      o = buf.writeInt32BE(0, o); // partition leader epoch
      o = buf.writeInt8(MAGIC, o);
      const crcAt = o;
      o += 4;
      const bodyStart = o;
      o = buf.writeInt16BE(attributes, o);
      o = buf.writeInt32BE(p.messages.length - 1, o); // last offset delta
      o = writeInt64(buf, o, nowLong); // first timestamp
      o = writeInt64(buf, o, nowLong); // max timestamp
      o = writeInt64(buf, o, producerId);
      o = buf.writeInt16BE(producerEpoch, o);
      o = buf.writeInt32BE(p.firstSequence ?? 0, o);
      o = buf.writeInt32BE(p.messages.length, o);
      p.messages.forEach((m, i) => {
        o = writeVarInt(buf, o, lengths[i]);
        buf[o++] = 0; // attributes
        buf[o++] = 0; // timestamp delta, 0 zigzag-encoded
        o = writeVarInt(buf, o, i);
        if (m.key === null || m.key === undefined) o = writeVarInt(buf, o, -1);
        else {
          const n = fieldLengths[field++];
          o = writeVarInt(buf, o, n);
          o = writeBytes(buf, o, m.key, n);
        }
        if (m.value === null || m.value === undefined) o = writeVarInt(buf, o, -1);
        else {
          const n = fieldLengths[field++];
          o = writeVarInt(buf, o, n);
          o = writeBytes(buf, o, m.value, n);
        }
        o = writeVarInt(buf, o, headerCounts[record++]);
        const headers = m.headers;
        for (const name in headers) {
          const h = headers[name];
          if (Array.isArray(h)) for (const value of h) o = writeHeader(buf, o, name, value, fieldLengths, field++, value == null ? 0 : field++);
          else o = writeHeader(buf, o, name, h, fieldLengths, field++, h == null ? 0 : field++);
        }
      });
      buf.writeUInt32BE(crc32c(buf.subarray(bodyStart, o)), crcAt);
    }
  }
  if (o !== total) throw new Error(`produce request encoder: wrote ${o} of ${total} bytes`);
  return { buf, offset: total, buffer: buf, size: () => total };
}

type ProduceVersion = (args: ProduceArgs) => { request: { apiVersion: number; encode: () => Promise<unknown> }; response: unknown };
interface ProduceModule {
  protocol: (o: { version: number }) => ProduceVersion;
  __ocuFastEncoding?: true;
}

/**
 * Installs the encoder into kafkajs (once per process; a no-op on another kafkajs version).
 * @returns whether kafkajs now uses it
 */
export function installFastProduceEncoding(): boolean {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== SUPPORTED_KAFKAJS) return false;
  const produce = require('kafkajs/src/protocol/requests/produce/index.js') as ProduceModule;
  if (produce.__ocuFastEncoding) return true;
  const original = produce.protocol;
  produce.protocol = ({ version: v }) => {
    const kafkajsVersion = original({ version: v });
    if (v < 3) return kafkajsVersion;
    return (args) => {
      const built = kafkajsVersion(args);
      if (!isFastPathEligible(args)) return built;
      return { ...built, request: { ...built.request, encode: async () => encodeProduceRequest(args) } };
    };
  };
  produce.__ocuFastEncoding = true;
  return true;
}
