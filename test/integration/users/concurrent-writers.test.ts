import { CommandBus } from '@nestjs/cqrs';
import { CreateUserCommand } from '../../../src/modules/users/application/create-user/create-user.command.js';
import { UserReadModel } from '../../../src/modules/users/application/ports/user-read-model.port.js';
import { UpdateUserCommand } from '../../../src/modules/users/application/update-user/update-user.command.js';
import type { UserCommandOutcome } from '../../../src/modules/users/application/user-command-runner.js';
import { ConcurrencyConflictError } from '../../../src/shared/application/application-errors.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { expectUsersMatchEvents } from '../../support/replay.js';
import { commandContextFor, eventRows } from '../../support/database.js';

const ROUNDS = 20;

describe('two writers on the same user at once', () => {
  let t: TestApp;
  let commands: CommandBus;

  beforeAll(async () => {
    t = await startTestApp();
    commands = t.app.get(CommandBus);
  });
  afterAll(() => t.close());

  /** Versions 1..N without gaps or duplicates, each event's data what its winner wrote; the row's version is N. */
  async function expectConsistentStream(network: string, userId: string, expectedTitles: string[]) {
    const rows = await eventRows(t.runtime, userId);
    expect(rows.map((r) => r.stream_version)).toEqual(rows.map((_, i) => i + 1));
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
    const [{ data }] = await t.runtime.dataSource.query<{ data: object[] }[]>(
      `SELECT coalesce(json_agg(data -> 'changes' ->> 'title' ORDER BY stream_version), '[]') AS data FROM events WHERE stream_id = $1 AND type = 'UserProfileUpdated'`,
      [userId],
    );
    expect(data).toEqual(expectedTitles);
    const user = await t.app.get(UserReadModel).get(network, userId);
    expect(user?.version).toBe(rows.length);
    expect(user?.title).toBe(expectedTitles[expectedTitles.length - 1]);
  }

  it(`through the CommandBus, ${ROUNDS} rounds: one wins (or both, one after the other), the loser gets ConcurrencyConflictError, no event lost or duplicated`, async () => {
    const network = uniqueNetworkId('race');
    const ctx = commandContextFor(network);
    const { userId } = await commands.execute(new CreateUserCommand(ctx, { email: 'will@x.com', name: 'Will' }));
    const winners: string[] = [];
    let conflicts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const titles = [`round ${round} writer A`, `round ${round} writer B`];
      const results = await Promise.allSettled(titles.map((title) => commands.execute(new UpdateUserCommand(ctx, userId, { title }))));
      const fulfilled = results.filter((r): r is PromiseFulfilledResult<UserCommandOutcome> => r.status === 'fulfilled');
      expect(fulfilled.length).toBeGreaterThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyConflictError);
      conflicts += results.length - fulfilled.length;
      // Winners in the order the store recorded them (by version).
      const ordered = results
        .map((r, i) => ({ r, title: titles[i] }))
        .filter(({ r }) => r.status === 'fulfilled')
        .sort((x, y) => (x.r as PromiseFulfilledResult<UserCommandOutcome>).value.version - (y.r as PromiseFulfilledResult<UserCommandOutcome>).value.version);
      winners.push(...ordered.map((o) => o.title));
    }
    // The race really happened: started together, both writers read the same version at least once.
    expect(conflicts).toBeGreaterThan(0);
    await expectConsistentStream(network, userId, winners);
    expect((await eventRows(t.runtime, userId)).length).toBe(1 + winners.length);
  });

  it('over HTTP, the loser gets 409 Problem+JSON and the stream stays consistent', async () => {
    const network = uniqueNetworkId('race');
    const auth = await t.authHeader([network]);
    const created = await t.http.post(`/api/v1/networks/${network}/users`).set(auth).send({ email: 'will@x.com', name: 'Will' }).expect(201);
    const userId = created.body.id as string;
    const winners: { title: string; version: number }[] = [];
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const titles = [`round ${round} A`, `round ${round} B`];
      const responses = await Promise.all(
        titles.map((title) => t.http.patch(`/api/v1/networks/${network}/users/${userId}`).set(auth).send({ title })),
      );
      responses.forEach((res, i) => {
        statuses.push(res.status);
        expect([200, 409]).toContain(res.status);
        if (res.status === 200) winners.push({ title: titles[i], version: res.body.version });
        else {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({ status: 409, title: 'Conflict', detail: expect.stringMatching(/at the same time/) });
        }
      });
      expect(responses.some((r) => r.status === 200)).toBe(true);
    }
    winners.sort((a, b) => a.version - b.version);
    await expectConsistentStream(network, userId, winners.map((w) => w.title));
    // Each 200 answered with the version it wrote: 2, 3, 4, ... without gaps.
    expect(winners.map((w) => w.version)).toEqual(winners.map((_, i) => i + 2));
    // The same body in the final GET.
    const final = await t.http.get(`/api/v1/networks/${network}/users/${userId}`).set(auth).expect(200);
    expect(final.headers.etag).toBe(`"${1 + winners.length}"`);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    await expectUsersMatchEvents(t, network);
  });

  it('deterministically: a PATCH whose next version is taken while it writes gets 409 and writes nothing', async () => {
    const network = uniqueNetworkId('race');
    const auth = await t.authHeader([network]);
    const created = await t.http.post(`/api/v1/networks/${network}/users`).set(auth).send({ email: 'will@x.com', name: 'Will' }).expect(201);
    const userId = created.body.id as string;

    // The other writer: version 2 inserted in a transaction held open until the PATCH waits on it.
    const other = t.runtime.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      const [{ pid }] = await other.query('SELECT pg_backend_pid() AS pid');
      await other.query(
        `WITH m AS (INSERT INTO event_metadata (id, metadata) VALUES (gen_random_uuid(), $4) RETURNING id)
         INSERT INTO events (event_id, network_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata_id, recorded_at)
         SELECT gen_random_uuid(), $1, 'user', $2, 2, 'UserProfileUpdated', 1, $3, m.id, now() FROM m`,
        [network, userId, JSON.stringify({ userId, changes: { title: 'other writer' } }), JSON.stringify({ networkId: network, actorId: 'other', correlationId: 'other' })],
      );
      const patch = t.http.patch(`/api/v1/networks/${network}/users/${userId}`).set(auth).send({ title: 'loser' }).then((r) => r);
      // Wait until the PATCH's insert is blocked on our transaction: it read version 1 and wants version 2.
      for (let i = 0; ; i++) {
        const [{ waiting }] = await t.runtime.dataSource.query<{ waiting: number }[]>(
          `SELECT count(*)::int AS waiting FROM pg_locks w JOIN pg_locks h ON h.locktype = 'transactionid' AND h.transactionid = w.transactionid AND h.granted AND h.pid = $1
            WHERE w.locktype = 'transactionid' AND NOT w.granted`,
          [pid],
        );
        if (waiting > 0) break;
        if (i > 200) throw new Error('the PATCH never waited on the other writer');
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.commitTransaction();
      const res = await patch;
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await other.release();
    }
    const rows = await eventRows(t.runtime, userId);
    expect(rows.map((r) => [r.stream_version, r.metadata.actorId])).toEqual([
      [1, 'admin:admin@test.example'],
      [2, 'other'],
    ]);
    // The loser's projection write was rolled back with its events.
    expect((await t.app.get(UserReadModel).get(network, userId))?.title).toBeNull();
  });
});
