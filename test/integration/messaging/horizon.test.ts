// The relay reads committed events in commit order below the transaction horizon, so an event whose transaction
// took its position early and commits late is never skipped, a rolled-back transaction never stalls it, and under
// concurrent writers the published set is exactly the committed set. Real PostgreSQL, real Kafka.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { uniqueNetworkId } from '../../support/app.js';
import { appendCommitted, checkpointOf, committedEventIds, holdTransaction, userEvents } from './support/events.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relaySettings, runBrokers, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';
import { startTestRelay, type TestRelay } from './support/relay.js';

describe('event relay: the transaction horizon', () => {
  const brokers = runBrokers();
  let db: FreshDatabase;
  let runtime: OpenRuntime;
  let relay: TestRelay | undefined;
  let recorder: TopicRecorder | undefined;

  beforeEach(async () => {
    db = await createFreshDatabase('horizon');
    runtime = await db.open();
  });

  afterEach(async () => {
    await relay?.stop();
    await recorder?.stop();
    relay = undefined;
    recorder = undefined;
    await runtime.close();
    await db.drop();
  });

  async function start(label: string, overrides: Record<string, string> = {}) {
    const topics = uniqueTopics(label);
    relay = startTestRelay(runtime, relaySettings(brokers, topics, overrides));
    // The relay creates its topics on start; the recorder subscribes once they exist.
    await waitFor(() => relay!.relay.status().leading && relay!.reads() > 0, 20_000, 'the relay to lead and read');
    recorder = await TopicRecorder.start(brokers, [topics.users, topics.imports]);
    return { relay, recorder };
  }

  it('publishes the event of a transaction that took its position first and committed last', async () => {
    const network = uniqueNetworkId('hz');
    const { relay, recorder } = await start('late-commit');
    const early = await appendCommitted(runtime, [userEvents(network, randomUUID(), 1)]);
    await recorder.waitForEvents(early, 20_000);

    // A inserts first (lower position, lower transaction id) and stays open; B inserts after it and commits.
    const a = holdTransaction(runtime, [userEvents(network, randomUUID(), 1)]);
    await a.inserted;
    const b = await appendCommitted(runtime, [userEvents(network, randomUUID(), 1)]);
    const [visible] = await runtime.dataSource.query(`SELECT count(*)::int AS n FROM events`);
    expect(visible.n).toBe(2); // A's row is invisible to others until it commits: the early event and B's

    // The relay keeps reading while A is open, and publishes neither B (above the horizon) nor, of course, A.
    const readsBefore = relay.reads();
    await waitFor(() => relay.reads() >= readsBefore + 5, 10_000, 'five more relay rounds');
    expect(recorder.distinctEventIds().has(b[0])).toBe(false);
    expect(relay.read.map((e) => e.eventId)).toEqual(early);

    // A commits after B: both go out, A's first (commit order below the horizon is transaction id order).
    await a.commit();
    await recorder.waitForEvents([...a.eventIds, ...b], 20_000);
    const order = relay.read.map((e) => e.eventId);
    expect(order).toEqual([...early, ...a.eventIds, ...b]);
    const positions = await runtime.dataSource.query<{ event_id: string; position: string }[]>(
      `SELECT event_id, position::text AS position FROM events ORDER BY position`,
    );
    // A's position is below B's: a relay going by position alone would have passed A's while it was invisible.
    expect(positions.map((p) => p.event_id)).toEqual([...early, ...a.eventIds, ...b]);
    await waitFor(async () => (await checkpointOf(runtime)).publishedTotal === 3, 10_000, 'the checkpoint past all three');
  });

  it('does not stall on a transaction that rolls back', async () => {
    const network = uniqueNetworkId('hz');
    const { relay, recorder } = await start('rollback');
    const a = holdTransaction(runtime, [userEvents(network, randomUUID(), 2)]);
    await a.inserted;
    const b = await appendCommitted(runtime, [userEvents(network, randomUUID(), 1)]);
    const readsBefore = relay.reads();
    await waitFor(() => relay.reads() >= readsBefore + 3, 10_000, 'three more relay rounds');
    expect(recorder.distinctEventIds().size).toBe(0);

    await a.rollback();
    const c = await appendCommitted(runtime, [userEvents(network, randomUUID(), 1)]);
    await recorder.waitForEvents([...b, ...c], 20_000);
    const readsAfter = relay.reads();
    await waitFor(() => relay.reads() >= readsAfter + 3, 10_000, 'three more relay rounds');
    expect(recorder.eventIds().sort()).toEqual([...b, ...c].sort());
    for (const id of a.eventIds) expect(recorder.distinctEventIds().has(id)).toBe(false);
  });

  it('is not held back by a write transaction open in another database of the server', async () => {
    const network = uniqueNetworkId('hz');
    const { recorder } = await start('other-database');
    // A transaction with a transaction id (it wrote), open in the per-run database, older than our events.
    const other = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('CREATE TEMP TABLE hold_the_horizon (x int)');
      const [{ xid }] = (await other.query('SELECT pg_current_xact_id()::text AS xid')).rows;
      const ids = await appendCommitted(runtime, [userEvents(network, randomUUID(), 2)]);
      const [{ xmin }] = await runtime.dataSource.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
      expect(BigInt(xmin)).toBeLessThanOrEqual(BigInt(xid)); // plain xmin would wait for it
      await recorder.waitForEvents(ids, 20_000);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  });

  it('resumes in numeric (transaction id, position) order across many small batches, past 9 → 10 and 99 → 100', async () => {
    const network = uniqueNetworkId('hz');
    const { relay, recorder } = await start('small-batches', { KAFKA_RELAY_BATCH_SIZE: '7' });
    const ids: string[] = [];
    for (let t = 0; t < 8; t++) {
      ids.push(...(await appendCommitted(runtime, Array.from({ length: 6 }, () => userEvents(network, randomUUID(), 1 + (t % 4))))));
    }
    expect(ids.length).toBeGreaterThan(100);
    await recorder.waitForEvents(ids, 30_000);
    const stored = await runtime.dataSource.query<{ event_id: string }[]>(`SELECT event_id FROM events ORDER BY transaction_id, position`);
    expect(relay.read.map((e) => e.eventId)).toEqual(stored.map((r) => r.event_id));
    expect(recorder.eventIds().sort()).toEqual([...ids].sort());
    expect(relay.read.every((e, i) => i === 0 || BigInt(e.position) > BigInt(relay.read[i - 1].position))).toBe(true);
  });

  it('20 concurrent writers with random commit delays: the published set is the committed set', async () => {
    const network = uniqueNetworkId('hz');
    const { recorder } = await start('concurrent');
    const WRITERS = 20;
    const TRANSACTIONS = 8;
    let rolledBack = 0;
    const writer = async (w: number) => {
      // Each writer owns a few users and appends to them, version after version, in its own transactions.
      const users = [randomUUID(), randomUUID()];
      const versions = new Map(users.map((u) => [u, 0]));
      for (let t = 0; t < TRANSACTIONS; t++) {
        const user = users[(w + t) % users.length];
        const count = 1 + ((w * 7 + t) % 3);
        const from = versions.get(user)!;
        const held = holdTransaction(runtime, [userEvents(network, user, count, from)]);
        await held.inserted;
        // The random part: how long the transaction stays open after taking its positions.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 40)));
        if (Math.random() < 0.2) {
          await held.rollback();
          rolledBack += 1;
        } else {
          await held.commit();
          versions.set(user, from + count);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    const committed = await committedEventIds(runtime);
    expect(committed.length).toBeGreaterThan(100);
    await recorder.waitForEvents(committed, 30_000);
    // Published == committed: nothing missing, nothing extra (no rolled-back event), no duplicate in a clean run.
    expect(recorder.eventIds().sort()).toEqual([...committed].sort());
    expect(rolledBack).toBeGreaterThan(0);

    // Per user: one partition, versions 1, 2, 3, ... in order.
    const byUser = new Map<string, { partitions: Set<number>; versions: number[] }>();
    for (const m of recorder.messages) {
      const entry = byUser.get(m.key) ?? { partitions: new Set<number>(), versions: [] };
      entry.partitions.add(m.partition);
      entry.versions.push(m.value.version);
      byUser.set(m.key, entry);
    }
    for (const { partitions, versions } of byUser.values()) {
      expect(partitions.size).toBe(1);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
  });
});
