import { randomUUID } from 'node:crypto';
import type { OpenRuntime } from '../../../src/bootstrap.js';
import { ConcurrencyConflictError } from '../../../src/shared/application/application-errors.js';
import { EventUpcasters } from '../../../src/shared/application/event-upcasters.js';
import type { EventMetadata } from '../../../src/shared/application/ports/event-store.port.js';
import { uniqueNetworkId } from '../../support/app.js';
import { eventRows, eventStoreOn, newEvent, openTestRuntime } from '../../support/database.js';

describe('PostgreSQL event store', () => {
  let runtime: OpenRuntime;
  let store: ReturnType<typeof eventStoreOn>;

  beforeAll(async () => {
    runtime = await openTestRuntime();
    store = eventStoreOn(runtime);
  });
  afterAll(() => runtime.close());

  const metadataFor = (networkId: string, extra: Partial<EventMetadata> = {}): EventMetadata => ({
    networkId,
    actorId: 'admin-1',
    actorEmail: 'admin@test.example',
    correlationId: `corr-${randomUUID()}`,
    ...extra,
  });

  it('appends and reads a stream back in order, with increasing global positions and all metadata', async () => {
    const network = uniqueNetworkId('es');
    const streamId = randomUUID();
    const importId = randomUUID();
    const metadata = metadataFor(network, { causationId: 'cause-1', importId });
    const recordedAt = new Date('2026-11-25T10:00:00.123Z');
    const appended = [
      newEvent('UserCreated', { userId: streamId, name: 'Will' }, metadata, { recordedAt }),
      newEvent('UserProfileUpdated', { userId: streamId, changes: { title: 'CTO' } }, metadata, { recordedAt }),
      newEvent('UserDeactivated', { userId: streamId }, metadata, { recordedAt, schemaVersion: 1 }),
    ];
    await store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'user', streamId, expectedVersion: 0, events: appended }]));

    const read = await store.events.readStream(network, streamId);
    expect(read.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    expect(read.map((e) => e.type)).toEqual(['UserCreated', 'UserProfileUpdated', 'UserDeactivated']);
    read.forEach((e, i) => {
      expect(e).toMatchObject({
        eventId: appended[i].eventId,
        streamType: 'user',
        streamId,
        schemaVersion: appended[i].schemaVersion,
        data: appended[i].data,
        metadata: { networkId: network, actorId: 'admin-1', actorEmail: 'admin@test.example', correlationId: metadata.correlationId, causationId: 'cause-1', importId },
      });
      expect(e.recordedAt.toISOString()).toBe(recordedAt.toISOString());
    });
    const positions = read.map((e) => BigInt(e.position));
    expect(positions[0] < positions[1] && positions[1] < positions[2]).toBe(true);

    // The row itself carries the network id in its own column, not only in the metadata.
    const rows = await eventRows(runtime, streamId);
    expect(rows.map((r) => r.network_id)).toEqual([network, network, network]);
  });

  it('a transaction that takes its place in order first has its events read first, although another one wrote and committed before it wrote', async () => {
    const network = uniqueNetworkId('es');
    const [early, late] = [randomUUID(), randomUUID()];
    const event = (streamId: string) => ({ streamType: 'user' as const, streamId, expectedVersion: 0, events: [newEvent('UserCreated', { userId: streamId }, metadataFor(network))] });
    let placed!: () => void;
    const hasPlace = new Promise<void>((resolve) => (placed = resolve));
    let otherCommitted!: () => void;
    const afterOther = new Promise<void>((resolve) => (otherCommitted = resolve));
    const first = store.uow.transaction(async (tx) => {
      await store.events.takePlaceInOrder(tx);
      placed();
      await afterOther;
      await store.events.append(tx, [event(early)]);
    });
    await hasPlace;
    await store.uow.transaction((tx) => store.events.append(tx, [event(late)]));
    otherCommitted();
    await first;

    // The relay's order (event-relay: transaction id, then position).
    const rows = await runtime.dataSource.query<{ stream_id: string }[]>(
      `SELECT stream_id FROM events WHERE stream_id = ANY($1::uuid[]) ORDER BY transaction_id, position`,
      [[early, late]],
    );
    expect(rows.map((r) => r.stream_id)).toEqual([early, late]);
  });

  it('reading a stream with another network id returns nothing', async () => {
    const network = uniqueNetworkId('es');
    const streamId = randomUUID();
    await store.uow.transaction((tx) =>
      store.events.append(tx, [{ streamType: 'user', streamId, expectedVersion: 0, events: [newEvent('UserCreated', { userId: streamId }, metadataFor(network))] }]),
    );
    expect(await store.events.readStream(network, streamId)).toHaveLength(1);
    expect(await store.events.readStream(uniqueNetworkId('other'), streamId)).toEqual([]);
  });

  it('readAll returns the events after a global position, in position order, up to the limit', async () => {
    const network = uniqueNetworkId('es');
    const [before] = await runtime.dataSource.query<{ max: string | null }[]>('SELECT max(position)::text AS max FROM events');
    const a = randomUUID();
    const b = randomUUID();
    await store.uow.transaction((tx) =>
      store.events.append(tx, [
        { streamType: 'user', streamId: a, expectedVersion: 0, events: [newEvent('A1', {}, metadataFor(network)), newEvent('A2', {}, metadataFor(network))] },
        { streamType: 'user', streamId: b, expectedVersion: 0, events: [newEvent('B1', {}, metadataFor(network))] },
      ]),
    );
    const after = before.max ?? '0';
    const all = (await store.events.readAll(after, 10_000)).filter((e) => e.streamId === a || e.streamId === b);
    expect(all.map((e) => e.type)).toEqual(['A1', 'A2', 'B1']);
    expect(all.every((e) => e.metadata.networkId === network)).toBe(true);
    const positions = all.map((e) => BigInt(e.position));
    expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);

    // After the first of them: the other two. The limit is respected.
    const rest = (await store.events.readAll(all[0].position, 10_000)).filter((e) => e.streamId === a || e.streamId === b);
    expect(rest.map((e) => e.type)).toEqual(['A2', 'B1']);
    expect(await store.events.readAll(after, 1)).toHaveLength(1);
  });

  it('an append with a stale expected version throws ConcurrencyConflictError and writes nothing', async () => {
    const network = uniqueNetworkId('es');
    const streamId = randomUUID();
    const first = newEvent('UserCreated', { userId: streamId }, metadataFor(network));
    await store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'user', streamId, expectedVersion: 0, events: [first] }]));

    const stale = [newEvent('UserProfileUpdated', { n: 1 }, metadataFor(network)), newEvent('UserDeactivated', {}, metadataFor(network))];
    await expect(
      store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'user', streamId, expectedVersion: 0, events: stale }])),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);

    const rows = await eventRows(runtime, streamId);
    expect(rows.map((r) => [r.stream_version, r.event_id])).toEqual([[1, first.eventId]]);
    const [{ count }] = await runtime.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM events WHERE event_id = ANY($1::uuid[])', [
      stale.map((e) => e.eventId),
    ]);
    expect(count).toBe(0);
  });

  it('a batch over several streams is all or nothing: one stale stream writes none of them', async () => {
    const network = uniqueNetworkId('es');
    const fresh = randomUUID();
    const existing = randomUUID();
    await store.uow.transaction((tx) =>
      store.events.append(tx, [{ streamType: 'user', streamId: existing, expectedVersion: 0, events: [newEvent('UserCreated', {}, metadataFor(network))] }]),
    );
    await expect(
      store.uow.transaction((tx) =>
        store.events.append(tx, [
          { streamType: 'user', streamId: fresh, expectedVersion: 0, events: [newEvent('UserCreated', {}, metadataFor(network))] },
          { streamType: 'user', streamId: existing, expectedVersion: 0, events: [newEvent('UserCreated', {}, metadataFor(network))] },
        ]),
      ),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(await eventRows(runtime, fresh)).toEqual([]);
    expect(await eventRows(runtime, existing)).toHaveLength(1);
  });

  it('takes appends made lazily, every one of them before it resolves, over many COPY buffers; a stale stream among them writes none', async () => {
    const network = uniqueNetworkId('es');
    const streams = Array.from({ length: 3_000 }, () => randomUUID());
    const taken = randomUUID();
    await store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'user', streamId: taken, expectedVersion: 0, events: [newEvent('UserCreated', {}, metadataFor(network))] }]));
    let made = 0;
    function* lazily(withStale: boolean) {
      for (const [i, streamId] of streams.entries()) {
        made += 1;
        // About 300 bytes of data an event: the 3,000 events fill several 256 KiB buffers of COPY text.
        yield { streamType: 'user' as const, streamId, expectedVersion: 0, events: [newEvent('UserCreated', { userId: streamId, note: 'x'.repeat(300) }, metadataFor(network))] };
        if (withStale && i === 2_000) yield { streamType: 'user' as const, streamId: taken, expectedVersion: 0, events: [newEvent('UserCreated', {}, metadataFor(network))] };
      }
    }
    await expect(store.uow.transaction((tx) => store.events.append(tx, lazily(true)))).rejects.toBeInstanceOf(ConcurrencyConflictError);
    const [{ none }] = await runtime.dataSource.query<{ none: number }[]>('SELECT count(*)::int AS none FROM events WHERE network_id = $1 AND stream_id <> $2', [
      network,
      taken,
    ]);
    expect(none).toBe(0);

    made = 0;
    await store.uow.transaction(async (tx) => {
      await store.events.append(tx, lazily(false));
      expect(made).toBe(streams.length);
    });
    const [{ count }] = await runtime.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM events WHERE network_id = $1 AND stream_id <> $2', [
      network,
      taken,
    ]);
    expect(count).toBe(streams.length);
    expect((await store.events.readStream(network, streams[2_999])).map((e) => e.type)).toEqual(['UserCreated']);
  });

  it('events appended in a transaction that fails later are rolled back', async () => {
    const network = uniqueNetworkId('es');
    const streamId = randomUUID();
    await expect(
      store.uow.transaction(async (tx) => {
        await store.events.append(tx, [{ streamType: 'user', streamId, expectedVersion: 0, events: [newEvent('UserCreated', {}, metadataFor(network))] }]);
        expect(await store.events.readStream(network, streamId, tx)).toHaveLength(1); // visible inside
        throw new Error('projection failed');
      }),
    ).rejects.toThrow('projection failed');
    expect(await store.events.readStream(network, streamId)).toEqual([]);
  });

  it('appending no events writes nothing', async () => {
    const streamId = randomUUID();
    await store.uow.transaction((tx) => store.events.append(tx, [{ streamType: 'user', streamId, expectedVersion: 0, events: [] }]));
    expect(await eventRows(runtime, streamId)).toEqual([]);
  });

  it('upcasts older stored schema versions on the way out, without rewriting the row', async () => {
    const network = uniqueNetworkId('es');
    const streamId = randomUUID();
    const upcasting = eventStoreOn(
      runtime,
      new EventUpcasters([{ type: 'SampleRenamed', fromVersion: 1, upcast: ({ fullName, ...rest }) => ({ ...rest, name: fullName }) }]),
    );
    await upcasting.uow.transaction((tx) =>
      upcasting.events.append(tx, [
        { streamType: 'user', streamId, expectedVersion: 0, events: [newEvent('SampleRenamed', { fullName: 'Will Smith' }, metadataFor(network))] },
      ]),
    );
    const [event] = await upcasting.events.readStream(network, streamId);
    expect(event).toMatchObject({ schemaVersion: 2, data: { name: 'Will Smith' } });
    const [row] = await runtime.dataSource.query<{ schema_version: number; data: object }[]>(
      'SELECT schema_version, data FROM events WHERE stream_id = $1',
      [streamId],
    );
    expect(row).toEqual({ schema_version: 1, data: { fullName: 'Will Smith' } });
  });

  it('reads a UserCreated an earlier release stored (schema 1, no manager field) as schema 2 with no manager, the row untouched', async () => {
    const network = uniqueNetworkId('es');
    const userId = randomUUID();
    const v1 = { userId, networkId: network, email: 'old@acme.example', name: 'Old', firstName: null, lastName: null, title: null, mobile: null };
    const bossId = randomUUID();
    await store.uow.transaction((tx) =>
      store.events.append(tx, [
        {
          streamType: 'user',
          streamId: userId,
          expectedVersion: 0,
          events: [
            newEvent('UserCreated', v1, metadataFor(network), { schemaVersion: 1 }),
            newEvent('UserManagerAssigned', { userId, managerId: bossId, managerEmail: 'boss@acme.example' }, metadataFor(network)),
          ],
        },
      ]),
    );
    const read = await store.events.readStream(network, userId);
    expect(read.map((e) => [e.type, e.schemaVersion, e.data])).toEqual([
      ['UserCreated', 2, { ...v1, managerId: null, managerEmail: null }],
      ['UserManagerAssigned', 1, { userId, managerId: bossId, managerEmail: 'boss@acme.example' }],
    ]);
    const rows = await runtime.dataSource.query<{ schema_version: number; data: object }[]>(
      `SELECT schema_version, data FROM events WHERE stream_id = $1 AND type = 'UserCreated'`,
      [userId],
    );
    expect(rows).toEqual([{ schema_version: 1, data: v1 }]);
  });
});
