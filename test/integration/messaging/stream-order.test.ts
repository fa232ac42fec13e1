// Per-key order on the topic when transaction ids and commit order disagree. A transaction gets its id at its first
// write, so one that wrote early (an import batch's user events) and appends to a stream later (its import's next
// event, under the import's lock) holds a lower id than the transaction that committed the version it built on.
// The event store accepts this (each append's expected version holds); the relay must still send the stream in
// version order, as asyncapi.yaml promises. Real PostgreSQL, real Kafka.
import { randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { eventStoreOn } from '../../support/database.js';
import { uniqueNetworkId } from '../../support/app.js';
import { appendCommitted, idsOf, userEvents } from './support/events.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relaySettings, runBrokers, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';
import { startTestRelay, type TestRelay } from './support/relay.js';

describe('event relay: one stream, transaction ids out of commit order', () => {
  const brokers = runBrokers();
  let db: FreshDatabase;
  let runtime: OpenRuntime;
  let relay: TestRelay | undefined;
  let recorder: TopicRecorder | undefined;

  beforeEach(async () => {
    db = await createFreshDatabase('order');
    runtime = await db.open();
  });

  afterEach(async () => {
    await relay?.stop();
    await recorder?.stop();
    await runtime.close();
    await db.drop();
  });

  it("a user's messages arrive in version order although version 3's transaction has the lower id", async () => {
    const network = uniqueNetworkId('order');
    const topics = uniqueTopics('order');
    relay = startTestRelay(runtime, relaySettings(brokers, topics));
    recorder = await TopicRecorder.start(brokers, [topics.users, topics.imports]);
    const userId = randomUUID();
    const created = await appendCommitted(runtime, [userEvents(network, userId, 1)]);
    await recorder.waitForEvents(created, 20_000);

    // B writes another user's event first (it now has a transaction id) and waits.
    const { events, uow } = eventStoreOn(runtime);
    let wroteFirst!: () => void;
    const firstWritten = new Promise<void>((resolve) => (wroteFirst = resolve));
    let goOn!: () => void;
    const resumed = new Promise<void>((resolve) => (goOn = resolve));
    const other = userEvents(network, randomUUID(), 1);
    const third = userEvents(network, userId, 1, 2);
    const b = uow.transaction(async (tx) => {
      await events.append(tx, [other]);
      wroteFirst();
      await resumed;
      // Built on version 2, which A committed meanwhile: the expected version holds.
      await events.append(tx, [third]);
    });
    await firstWritten;
    // A, begun after B's first write (a higher transaction id), records version 2 and commits.
    const second = await appendCommitted(runtime, [userEvents(network, userId, 1, 1)]);
    goOn();
    await b;
    const [ids] = await runtime.dataSource.query<{ b: string; a: string }[]>(
      `SELECT (SELECT transaction_id::text FROM events WHERE event_id = $1) AS b, (SELECT transaction_id::text FROM events WHERE event_id = $2) AS a`,
      [idsOf([third])[0], second[0]],
    );
    expect(BigInt(ids.b)).toBeLessThan(BigInt(ids.a));

    await recorder.waitForEvents([...second, ...idsOf([third, other])], 20_000);
    const versions = await waitFor(() => {
      const mine = recorder!.messages.filter((m) => m.key === userId);
      return mine.length >= 3 && mine;
    }, 10_000, "the user's three messages");
    expect(new Set(versions.map((m) => m.partition)).size).toBe(1);
    const inOffsetOrder = [...versions].sort((x, y) => Number(BigInt(x.offset) - BigInt(y.offset)));
    expect(inOffsetOrder.map((m) => [m.value.version, m.headers['event-type']])).toEqual([
      [1, 'UserCreated'],
      [2, 'UserProfileUpdated'],
      [3, 'UserProfileUpdated'],
    ]);
    expect(inOffsetOrder.map((m) => m.headers['event-id'])).toEqual([...created, ...second, ...idsOf([third])]);
  });
});
