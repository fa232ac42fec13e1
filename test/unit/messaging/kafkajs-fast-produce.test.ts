// The faster Produce encoder writes exactly the bytes kafkajs 2.2.4's own encoder writes, for random batches of
// the relay's kind (strings and buffers, null keys and values, headers with arrays, unicode, transactional or not,
// several topics and partitions), and leaves the cases it does not handle (timestamps, compression) to kafkajs.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  crc32c,
  encodeProduceRequest,
  installFastProduceEncoding,
  isFastPathEligible,
  type ProduceArgs,
} from '../../../src/modules/messaging/infrastructure/kafka/kafkajs-fast-produce.js';

const require = createRequire(import.meta.url);
const kafkajsRequestV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (args: ProduceArgs) => { encode(): Promise<{ buffer: Buffer }> };
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };

function pick<T>(list: T[]): T {
  return list[Math.floor(Math.random() * list.length)];
}

function randomText(): string {
  return pick(['', 'a', 'ünïcødé ✓ 𝄞', randomUUID(), 'x'.repeat(Math.floor(Math.random() * 3_000)), JSON.stringify({ n: Math.random() })]);
}

function randomArgs(): ProduceArgs {
  const topics = 1 + Math.floor(Math.random() * 3);
  return {
    acks: pick([-1, 1]),
    timeout: pick([30_000, 5_000]),
    compression: 0,
    transactionalId: pick([null, null, 'tx-1']),
    producerId: pick([Long.fromValue(-1), Long.fromValue(4242), Long.fromValue('9007199254740993')]) as never,
    producerEpoch: pick([0, 3]),
    topicData: Array.from({ length: topics }, (_, t) => ({
      topic: `topic-${t}-${randomBytes(2).toString('hex')}`,
      partitions: Array.from({ length: 1 + Math.floor(Math.random() * 4) }, (_, p) => ({
        partition: p,
        firstSequence: Math.floor(Math.random() * 100_000),
        messages: Array.from({ length: 1 + Math.floor(Math.random() * 200) }, () => ({
          key: pick<string | Buffer | null>([randomUUID(), randomBytes(16), null, randomText()]),
          value: pick<string | Buffer | null>([randomText(), randomBytes(Math.floor(Math.random() * 500)), null]),
          headers: pick<Record<string, string | Buffer | (string | Buffer)[]> | undefined>([
            undefined,
            {},
            { 'event-id': randomUUID(), 'event-type': 'UserCreated', 'schema-version': '1', 'network-id': randomText(), 'correlation-id': 'c', 'causation-id': 'c' },
            { multi: ['a', randomBytes(3)], bin: randomBytes(40), empty: '' },
          ]),
        })),
      })),
    })),
  };
}

describe('kafkajs fast Produce encoder', () => {
  // Both encoders stamp the batch with Date.now(): one fixed instant for the comparison.
  const realNow = Date.now;
  beforeEach(() => {
    Date.now = () => 1_795_600_000_123;
  });
  afterEach(() => {
    Date.now = realNow;
  });

  it('writes byte for byte what kafkajs writes, on 120 random requests', async () => {
    for (let i = 0; i < 120; i++) {
      const args = randomArgs();
      expect(isFastPathEligible(args)).toBe(true);
      const theirs = (await kafkajsRequestV3(args).encode()).buffer;
      const ours = encodeProduceRequest(args, Date.now()).buffer;
      if (!ours.equals(theirs)) throw new Error(`request ${i} differs (${ours.length} vs ${theirs.length} bytes): ${JSON.stringify(args).slice(0, 300)}`);
    }
  });

  it('computes CRC-32C as kafkajs does (and as the check value 0xE3069283 of "123456789")', () => {
    const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    for (let n = 0; n < 300; n++) {
      const buf = randomBytes(n);
      expect(crc32c(buf)).toBe(kafkajsCrc(buf));
      expect(crc32c(buf.subarray(1))).toBe(kafkajsCrc(buf.subarray(1)));
    }
  });

  it('leaves messages with timestamps, compressed requests and non-text values to kafkajs', () => {
    const base = randomArgs();
    const withTimestamp = { ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: '1' }] }] }] };
    expect(isFastPathEligible(withTimestamp)).toBe(false);
    expect(isFastPathEligible({ ...base, compression: 1 })).toBe(false);
    expect(isFastPathEligible({ ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 42 as never }] }] }] })).toBe(false);
    expect(isFastPathEligible({ ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', headers: { h: 7 as never } }] }] }] })).toBe(false);
  });

  it('installs into kafkajs 2.2.4 once, keeping kafkajs\' request and response for each version', async () => {
    expect(installFastProduceEncoding()).toBe(true);
    expect(installFastProduceEncoding()).toBe(true);
    const produce = require('kafkajs/src/protocol/requests/produce/index.js') as { protocol(o: { version: number }): (a: ProduceArgs) => { request: { apiVersion: number; encode(): Promise<{ buffer: Buffer }> }; response: unknown } };
    const args = randomArgs();
    const v7 = produce.protocol({ version: 7 })(args);
    expect(v7.request.apiVersion).toBe(7);
    expect(v7.response).toBe(require('kafkajs/src/protocol/requests/produce/v7/response.js'));
    expect((await v7.request.encode()).buffer.equals((await kafkajsRequestV3(args).encode()).buffer)).toBe(true);
  });
});
