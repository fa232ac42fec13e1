import { PostgresManagementChainLock } from '../../../src/modules/users/infrastructure/persistence/postgres-management-chain-lock.adapter.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { expectUsersMatchEvents } from '../../support/replay.js';
import { createUserOverHttp, expectProblem, usersPath } from '../../support/users-api.js';
import { untilWaitingForAdvisoryLock } from '../../support/database.js';

describe('users API: two changes of manager at the same moment cannot make a management cycle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('a change checks the chain after the one in flight commits: Anna under Bo is refused while Bo goes under Anna', async () => {
    const network = uniqueNetworkId('cycles');
    const auth = await t.authHeader([network]);
    const anna = await createUserOverHttp(t, network, { email: 'anna@acme.example', name: 'Anna' });
    const bo = await createUserOverHttp(t, network, { email: 'bo@acme.example', name: 'Bo' });

    // Another change of manager in flight: Bo now reports to Anna, checked and written but not yet committed.
    const inFlight = t.runtime.dataSource.createQueryRunner();
    await inFlight.connect();
    try {
      await inFlight.startTransaction();
      await inFlight.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [PostgresManagementChainLock.key(network)]);
      await inFlight.query(`UPDATE users SET manager_id = $2 WHERE network_id = $1 AND id = $3`, [network, anna.id, bo.id]);

      const patch = t.http.patch(usersPath(network, `/${anna.id}`)).set(auth).send({ managerId: bo.id }).then((res) => res);
      // The PATCH waits for the change in flight instead of checking a chain about to change under it.
      await untilWaitingForAdvisoryLock(t.runtime.dataSource, 'the PATCH to wait for the change of manager in flight');
      await inFlight.commitTransaction();

      const refused = expectProblem(await patch, 400, 'managerId');
      expect(refused.detail).toBe("bo@acme.example reports to this user, directly or through others: as this user's manager they would make a management cycle.");
    } finally {
      if (inFlight.isTransactionActive) await inFlight.rollbackTransaction();
      await inFlight.release();
    }
    expect((await t.http.get(usersPath(network, `/${anna.id}`)).set(auth)).body).toMatchObject({ managerId: null, version: 1 });
  });

  it('of twenty pairs of opposite changes sent at once, exactly one of each pair is made', async () => {
    const network = uniqueNetworkId('cycles');
    const auth = await t.authHeader([network]);
    const pairs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => [
        await createUserOverHttp(t, network, { email: `a${i}@acme.example`, name: `A${i}` }),
        await createUserOverHttp(t, network, { email: `b${i}@acme.example`, name: `B${i}` }),
      ]),
    );
    const answers = await Promise.all(
      pairs.map(([a, b]) =>
        Promise.all([
          t.http.patch(usersPath(network, `/${a.id}`)).set(auth).send({ managerId: b.id }),
          t.http.patch(usersPath(network, `/${b.id}`)).set(auth).send({ managerId: a.id }),
        ]),
      ),
    );
    for (const pair of answers) expect(pair.map((res) => res.status).sort()).toEqual([200, 400]);
    const [row] = await t.runtime.dataSource.query<{ loops: number }[]>(
      `SELECT count(*)::int AS loops FROM users a JOIN users b ON b.id = a.manager_id AND b.manager_id = a.id WHERE a.network_id = $1`,
      [network],
    );
    expect(row.loops).toBe(0);
    await expectUsersMatchEvents(t, network);
  });
});
