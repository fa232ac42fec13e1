// Several instances, crashes and a database that drops its connections, on the real broker:
// - two relays on one database: exactly one relays; when the holder dies (its database sessions end and it never
//   comes back), the other takes over within seconds and nothing is lost;
// - a relay that dies between a send and its checkpoint: its successor sends that batch again, nothing is missing;
// - the database ends every session (as a restart does) while the relay runs: it reconnects and goes on.
import { randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { RELAY_APPLICATION_NAME, pendingEventCount } from '../../../src/modules/messaging/infrastructure/persistence/postgres-relay-outbox.js';
import { uniqueNetworkId } from '../../support/app.js';
import { appendCommitted, checkpointOf, committedEventIds, userEvents } from './support/events.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relaySettings, runBrokers, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';
import { startTestRelay, type TestRelay } from './support/relay.js';

const brokers = runBrokers();

/** A promise the test resolves when it wants: a relay waiting on it is wedged, as a hung or dead process would be. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Appends, retrying while the database drops connections under it (a client sees such errors and tries again). */
async function appendWithRetry(runtime: OpenRuntime, network: string, users: number): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await appendCommitted(runtime, Array.from({ length: users }, () => userEvents(network, randomUUID(), 2)));
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('event relay: instances, crashes, database restarts', () => {
  let db: FreshDatabase;
  const runtimes: OpenRuntime[] = [];
  const relays: TestRelay[] = [];
  const gates: { open: () => void }[] = [];
  let recorder: TopicRecorder | undefined;

  async function instance(): Promise<OpenRuntime> {
    const runtime = await db.open();
    runtimes.push(runtime);
    return runtime;
  }

  beforeEach(async () => {
    db = await createFreshDatabase('lead');
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g.open();
    await recorder?.stop();
    recorder = undefined;
    await Promise.all(relays.splice(0).map((r) => r.stop().catch(() => undefined)));
    await Promise.all(runtimes.splice(0).map((r) => r.close().catch(() => undefined)));
    await db.drop();
  });

  it('two relays on one database: exactly one relays; the other takes over within seconds when the holder dies', async () => {
    const topics = uniqueTopics('two');
    const settings = relaySettings(brokers, topics, { KAFKA_RELAY_LEADER_POLL_MS: '200', KAFKA_RELAY_BATCH_SIZE: '50' });
    const writer = await instance();
    const network = uniqueNetworkId('two');

    // A wedges (never returns) on the first read after `wedgeA` is set, as a process that hangs and then dies.
    let wedgeA = false;
    const aGate = gate();
    gates.push(aGate);
    const a = startTestRelay(await instance(), settings, {
      afterRead: (batch) => (wedgeA && batch.length > 0 ? aGate.opened : undefined),
    });
    relays.push(a);
    await waitFor(() => a.relay.status().leading, 20_000, 'A to lead');
    const b = startTestRelay(await instance(), settings);
    relays.push(b);
    recorder = await TopicRecorder.start(brokers, [topics.users]);

    const first = await appendWithRetry(writer, network, 20);
    await recorder.waitForEvents(first, 20_000);
    // B polled for the lease several times and never got it, never read.
    await waitFor(() => b.reads() === 0 && !b.relay.status().leading, 1_000, 'B idle');
    // Not synchronisation but the window of a negative check: three of B's lease polls (200 ms apart) keep it out.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(b.relay.status().leading).toBe(false);
    expect(b.reads()).toBe(0);
    expect(a.read.map((e) => e.eventId).sort()).toEqual([...first].sort());

    // A dies: it stops answering, and its database sessions end (the server notices a dead process's sockets).
    wedgeA = true;
    const second = await appendWithRetry(writer, network, 20);
    await waitFor(() => a.reads() > 1 && a.read.some((e) => second.includes(e.eventId)), 10_000, 'A to read the second lot and hang');
    const died = Date.now();
    expect(await db.terminateSessions({ applicationName: RELAY_APPLICATION_NAME })).toBe(1);
    await waitFor(() => b.relay.status().leading, 10_000, 'B to take over');
    const takeover = Date.now() - died;
    expect(takeover).toBeLessThan(5_000);

    // B relays what A had read but never sent, and what comes next; nothing is lost.
    const third = await appendWithRetry(writer, network, 20);
    const all = await committedEventIds(writer);
    await recorder.waitForEvents(all, 20_000);
    expect(recorder.distinctEventIds().size).toBe(first.length + second.length + third.length);
    expect(a.relay.status().leading).toBe(true); // A still believes it leads: it is wedged, and nothing it does counts
  });

  it('a relay killed between a send and its checkpoint: its successor sends that batch again and nothing is missing', async () => {
    const topics = uniqueTopics('crash');
    const settings = relaySettings(brokers, topics, { KAFKA_RELAY_LEADER_POLL_MS: '200', KAFKA_RELAY_BATCH_SIZE: '30' });
    const writer = await instance();
    const network = uniqueNetworkId('crash');
    const ids = await appendWithRetry(writer, network, 60); // 120 events: four batches of 30

    // The first relay dies right after Kafka acknowledged its second batch, before the checkpoint.
    const crash = gate();
    gates.push(crash);
    let sends = 0;
    let doomed: readonly string[] = [];
    const first = startTestRelay(await instance(), settings, {
      afterSend: async (batch) => {
        if (++sends === 2) {
          doomed = batch.map((e) => e.eventId);
          await crash.opened; // never returns while the test runs: the process is gone
        }
      },
    });
    relays.push(first);
    await waitFor(() => sends >= 2, 20_000, 'the second batch to be acknowledged');
    expect((await checkpointOf(writer)).publishedTotal).toBe(30); // the first batch only
    expect(await db.terminateSessions({ applicationName: RELAY_APPLICATION_NAME })).toBe(1);

    const second = startTestRelay(await instance(), settings);
    relays.push(second);
    recorder = await TopicRecorder.start(brokers, [topics.users]);
    await recorder.waitForEvents(ids, 30_000);
    await waitFor(async () => (await pendingEventCount(writer.dataSource)) === 0, 10_000, 'the successor to checkpoint everything');

    // The batch that was acknowledged but not checkpointed went out twice; every event arrived; nothing else doubled.
    const counts = new Map<string, number>();
    for (const id of recorder.eventIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(doomed).toHaveLength(30);
    for (const id of doomed) expect(counts.get(id)).toBe(2);
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    expect([...counts].filter(([id, n]) => n > 1 && !doomed.includes(id))).toEqual([]);
    expect(second.read[0].eventId).toBe(doomed[0]); // it resumed at the checkpoint, i.e. at the doomed batch
  });

  it('the database ends every session while the relay runs: the relay reconnects and goes on', async () => {
    const topics = uniqueTopics('dbrestart');
    const settings = relaySettings(brokers, topics, { KAFKA_RELAY_BATCH_SIZE: '40', KAFKA_RELAY_RETRY_MAX_MS: '300' });
    const writer = await instance();
    const network = uniqueNetworkId('dbrestart');
    const relay = startTestRelay(await instance(), settings);
    relays.push(relay);
    await waitFor(() => relay.relay.status().leading, 20_000, 'the relay to lead');
    recorder = await TopicRecorder.start(brokers, [topics.users]);

    const ids: string[] = [];
    for (let round = 0; round < 3; round++) {
      ids.push(...(await appendWithRetry(writer, network, 100)));
      // Every session of the database, the relay's lease and pool included, as a server restart ends them.
      const ended = await db.terminateSessions();
      expect(ended).toBeGreaterThanOrEqual(1);
      ids.push(...(await appendWithRetry(writer, network, 20)));
    }
    await recorder.waitForEvents(ids, 30_000);
    await waitFor(() => relay.relay.status().leading, 10_000, 'the relay to lead again');
    expect(relay.relay.status().lastError).toEqual(expect.any(String)); // it did lose its connections
    expect(relay.relay.status().consecutiveFailures).toBe(0);
    expect(await pendingEventCount(writer.dataSource)).toBe(0);
    expect(recorder.distinctEventIds().size).toBe(ids.length);
  });
});
