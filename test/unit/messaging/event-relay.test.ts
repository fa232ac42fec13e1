// The relay use case with in-memory fakes of its ports: the checkpoint moves only after the broker acknowledged a
// batch, failures are retried from the checkpoint with doubling, capped back-off, a lost lease sends it back to
// waiting for the lease, only the lease holder reads, a full batch is followed at once by the next, and upcasting
// applies before the contract mapping.
import { randomUUID } from 'node:crypto';
import type { OutboundMessage, RelayCursor, StoredEvent } from '../../../src/modules/messaging/domain/message-contract.js';
import { EventPublisher, type TopicSpec } from '../../../src/modules/messaging/application/ports/event-publisher.port.js';
import { type RelayLease, RelayLeadership } from '../../../src/modules/messaging/application/ports/relay-outbox.port.js';
import { EventRelay, type EventRelayOptions, type RelayObserver } from '../../../src/modules/messaging/application/relay-events/event-relay.js';

function event(i: number, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    transactionId: String(100 + Math.floor(i / 3)),
    position: String(i + 1),
    eventId: randomUUID(),
    networkId: 'acme',
    streamType: 'user',
    streamId: `user-${i % 4}`,
    streamVersion: Math.floor(i / 4) + 1,
    type: 'UserProfileUpdated',
    schemaVersion: 1,
    dataJson: '{"changes":{}}',
    metadata: { actorId: 'a', correlationId: 'c' },
    recordedAt: new Date().toISOString(),
    ...overrides,
  };
}

const after = (a: RelayCursor, b: RelayCursor) =>
  BigInt(a.transactionId) > BigInt(b.transactionId) || (a.transactionId === b.transactionId && BigInt(a.position) > BigInt(b.position));

class FakeStore extends RelayLeadership {
  events: StoredEvent[] = [];
  checkpoint: RelayCursor = { transactionId: '0', position: '0' };
  saves: { cursor: RelayCursor; published: number }[] = [];
  holder: FakeLease | undefined;
  available = true;
  acquisitions = 0;
  reads = 0;

  async tryAcquire(): Promise<RelayLease | null> {
    if (!this.available || this.holder) return null;
    this.acquisitions += 1;
    this.holder = new FakeLease(this);
    return this.holder;
  }
}

class FakeLease implements RelayLease {
  held = true;
  constructor(private readonly store: FakeStore) {}
  readonly events = {
    readAfter: async (cursor: RelayCursor, limit: number) => {
      if (!this.held) throw new Error('session gone');
      this.store.reads += 1;
      return this.store.events.filter((e) => after(e, cursor)).slice(0, limit);
    },
  };
  readonly checkpoints = {
    load: async () => {
      if (!this.held) throw new Error('session gone');
      return this.store.checkpoint;
    },
    save: async (cursor: RelayCursor, published: number) => {
      if (!this.held) throw new Error('session gone');
      this.store.checkpoint = cursor;
      this.store.saves.push({ cursor, published });
    },
  };
  async isHeld() {
    return this.held;
  }
  async release() {
    this.held = false;
    if (this.store.holder === this) this.store.holder = undefined;
  }
}

class FakePublisher extends EventPublisher {
  sent: OutboundMessage[][] = [];
  topics: TopicSpec[][] = [];
  /** Decides each publish: resolve, reject, or wait on the returned promise. */
  behaviour: (messages: readonly OutboundMessage[]) => Promise<void> = async () => undefined;
  async ensureTopics(topics: readonly TopicSpec[]) {
    this.topics.push([...topics]);
  }
  async publish(messages: readonly OutboundMessage[]) {
    await this.behaviour(messages);
    this.sent.push([...messages]);
  }
  async close() {}
}

const options: EventRelayOptions = {
  topics: { users: 'users', imports: 'imports' },
  topicSpecs: [{ name: 'users', partitions: 3 }, { name: 'imports', partitions: 1 }],
  batchSize: 5,
  intervalMs: 5,
  retryMinMs: 10,
  retryMaxMs: 80,
  leaderPollMs: 5,
};

async function until(check: () => boolean, what: string, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('EventRelay', () => {
  let store: FakeStore;
  let publisher: FakePublisher;
  let relay: EventRelay | undefined;
  const failures: { stage: string; attempt: number; retryInMs: number }[] = [];
  const observer: RelayObserver = { failed: (stage, _e, attempt, retryInMs) => failures.push({ stage, attempt, retryInMs }) };

  beforeEach(() => {
    store = new FakeStore();
    publisher = new FakePublisher();
    failures.length = 0;
  });
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  it('moves the checkpoint only after the send resolved, to the last event of the batch', async () => {
    store.events = Array.from({ length: 3 }, (_, i) => event(i));
    let acknowledge!: () => void;
    publisher.behaviour = () => new Promise<void>((resolve) => (acknowledge = resolve));
    relay = new EventRelay(store, publisher, options, observer);
    relay.start();
    await until(() => acknowledge !== undefined, 'the send');
    await new Promise((resolve) => setTimeout(resolve, 20)); // the send hangs: no checkpoint meanwhile
    expect(store.saves).toEqual([]);
    acknowledge();
    await until(() => store.saves.length === 1, 'the checkpoint');
    expect(store.saves[0]).toEqual({ cursor: { transactionId: store.events[2].transactionId, position: '3' }, published: 3 });
    expect(publisher.topics[0].map((t) => t.name)).toEqual(['users', 'imports']);
    expect(relay.status()).toMatchObject({ leading: true, publishedTotal: 3, consecutiveFailures: 0 });
  });

  it('a failed send leaves the checkpoint, and the batch goes again after a doubling back-off, capped', async () => {
    store.events = Array.from({ length: 2 }, (_, i) => event(i));
    let calls = 0;
    publisher.behaviour = async () => {
      calls += 1;
      if (calls <= 5) throw new Error(`broker down (${calls})`);
    };
    const recovered: number[] = [];
    relay = new EventRelay(store, publisher, options, { ...observer, recovered: (n) => recovered.push(n) });
    relay.start();
    await until(() => store.saves.length === 1, 'the batch, eventually');
    expect(calls).toBe(6);
    expect(publisher.sent).toHaveLength(1); // only the acknowledged attempt counts
    expect(failures.map((f) => f.attempt)).toEqual([1, 2, 3, 4, 5]);
    // 10, 20, 40, 80, 80 ms ±20 %: doubling, then capped at retryMaxMs.
    const bases = [10, 20, 40, 80, 80];
    failures.forEach((f, i) => {
      expect(f.retryInMs).toBeGreaterThanOrEqual(Math.floor(bases[i] * 0.8));
      expect(f.retryInMs).toBeLessThanOrEqual(Math.min(80, Math.ceil(bases[i] * 1.2)));
    });
    expect(recovered).toEqual([5]);
    expect(relay.status()).toMatchObject({ consecutiveFailures: 0, lastError: 'Error: broker down (5)' });
    // Topics are checked again after every failure (the broker may have come back without them).
    expect(publisher.topics.length).toBe(6);
  });

  it('reads only while it holds the lease; a lost lease sends it back to waiting for one', async () => {
    store.available = false;
    store.events = [event(0)];
    relay = new EventRelay(store, publisher, options, observer);
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.reads).toBe(0);
    expect(relay.status().leading).toBe(false);

    store.available = true;
    await until(() => store.saves.length === 1, 'the first event');
    const lease = store.holder!;
    // The session dies: reads fail, the lease reports it is gone; the relay lets it go and takes a new one.
    lease.held = false;
    store.events.push(event(1));
    await until(() => store.acquisitions === 2 && store.saves.length === 2, 'a new lease and the second event');
    expect(failures[0]).toMatchObject({ stage: 'relay', attempt: 1 });
    expect(publisher.sent.flat()).toHaveLength(2);
  });

  it('follows a full batch at once with the next (read ahead), and pauses only when caught up', async () => {
    store.events = Array.from({ length: 23 }, (_, i) => event(i));
    relay = new EventRelay(store, publisher, { ...options, intervalMs: 10_000 }, observer);
    relay.start();
    await until(() => store.saves.length === 5, 'five batches', 1_000); // 5+5+5+5+3, with no 10 s pause between them
    expect(publisher.sent.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect(store.checkpoint.position).toBe('23');
    // In order, each event once.
    expect(publisher.sent.flat().map((m) => m.headers['event-id'])).toEqual(store.events.map((e) => e.eventId));
  });

  it('stops promptly in a pause and gives the lease back', async () => {
    relay = new EventRelay(store, publisher, { ...options, intervalMs: 60_000 }, observer);
    relay.start();
    await until(() => store.reads === 1, 'the first read');
    const started = Date.now();
    await relay.stop();
    expect(Date.now() - started).toBeLessThan(500);
    expect(store.holder).toBeUndefined();
    expect(relay.status()).toMatchObject({ running: false, leading: false });
    relay = undefined;
  });

  it("sends a stream's versions in order when they were read out of it, and checkpoints the last event read", async () => {
    // Read order (transaction id, position): user-a 1, then a transaction with the lower id holding user-b 1 and
    // user-a 3, then the one with the higher id that committed user-a 2 first.
    const a = (v: number, tx: string, pos: string) => event(0, { streamId: 'user-a', streamVersion: v, transactionId: tx, position: pos });
    store.events = [a(1, '90', '1'), event(0, { streamId: 'user-b', streamVersion: 1, transactionId: '100', position: '2' }), a(3, '100', '4'), a(2, '101', '3')];
    relay = new EventRelay(store, publisher, options, observer);
    relay.start();
    await until(() => store.saves.length === 1, 'the batch');
    const sent = publisher.sent.flat();
    expect(sent.filter((m) => m.key === 'user-a').map((m) => JSON.parse(m.value).version)).toEqual([1, 2, 3]);
    expect(sent.map((m) => m.key)).toEqual(['user-a', 'user-b', 'user-a', 'user-a']);
    expect(store.checkpoint).toEqual({ transactionId: '101', position: '3' });
  });

  it('upcasts an event before mapping it', async () => {
    store.events = [event(0, { schemaVersion: 0, dataJson: '{"old":true}' })];
    relay = new EventRelay(store, publisher, options, observer, (e) => (e.schemaVersion === 0 ? { ...e, schemaVersion: 1, dataJson: '{"new":true}' } : e));
    relay.start();
    await until(() => publisher.sent.length === 1, 'the send');
    expect(publisher.sent[0][0].headers['schema-version']).toBe('1');
    expect(JSON.parse(publisher.sent[0][0].value).data).toEqual({ new: true });
  });
});
