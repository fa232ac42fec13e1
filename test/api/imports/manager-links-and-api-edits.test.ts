/**
 * An import decides the manager links that waited for the whole file, then makes them; a change of manager made
 * through the API in between would be seen by neither check, and the two together could close a management cycle.
 * The import holds the network's management chain from its decisions to its last link, and the API waits for it.
 */
import { PostgresManagementChainLock } from '../../../src/modules/users/infrastructure/persistence/postgres-management-chain-lock.adapter.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { untilWaitingForAdvisoryLock } from '../../support/database.js';
import { csv, getImport, upload, usersOf, waitForImport } from '../../support/imports.js';
import { createUserOverHttp, expectProblem, usersPath } from '../../support/users-api.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

it('an import makes its links after a change of manager in flight commits, and refuses the one that would close a cycle with it', async () => {
  const network = uniqueNetworkId('links');
  const ann = await createUserOverHttp(t, network, { email: 'ann@acme.example', name: 'Ann' });
  const bob = await createUserOverHttp(t, network, { email: 'bob@acme.example', name: 'Bob' });

  // A change of manager in flight: Ann now reports to Bob, checked and written but not committed yet.
  const inFlight = t.runtime.dataSource.createQueryRunner();
  await inFlight.connect();
  let importId: string;
  try {
    await inFlight.startTransaction();
    await inFlight.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [PostgresManagementChainLock.key(network)]);
    await inFlight.query(`UPDATE users SET manager_id = $2 WHERE network_id = $1 AND id = $3`, [network, bob.id, ann.id]);

    // The file puts Bob under Ann: a new manager for a user who exists, which waits for the whole file.
    const res = await upload(t, network, csv('email,manager', 'bob@acme.example,ann@acme.example'), { mode: 'update' });
    expect(res.status).toBe(202);
    importId = res.body.id;
    await untilWaitingForAdvisoryLock(t.runtime.dataSource, 'the import to wait for the change of manager in flight');
    // Every line read, its links waiting (and the outcome of its line with them): the report says so.
    expect(await getImport(t, network, importId)).toMatchObject({ status: 'running', stage: 'linking-managers', totalRows: 1 });
    await inFlight.commitTransaction();
  } finally {
    if (inFlight.isTransactionActive) await inFlight.rollbackTransaction();
    await inFlight.release();
  }

  const report = await waitForImport(t, network, importId);
  expect(report).toMatchObject({ status: 'completed', stage: null, counts: { rows: 1, unchanged: 1, updated: 0 } });
  expect(report.warnings).toEqual([expect.stringMatching(/^Line 2: manager ann@acme\.example would make a management cycle/)]);
  const users = await usersOf(t, network);
  expect(users.get('ann@acme.example')?.managerId).toBe(bob.id);
  expect(users.get('bob@acme.example')?.managerId).toBeNull();
});

it('a change of manager waits for an import making its links, and after ten seconds is a 409 saying to try again', async () => {
  const network = uniqueNetworkId('links');
  const auth = await t.authHeader([network]);
  const ann = await createUserOverHttp(t, network, { email: 'ann@acme.example', name: 'Ann' });
  const bob = await createUserOverHttp(t, network, { email: 'bob@acme.example', name: 'Bob' });
  // An import making its links holds the chain for as long as that takes: here, longer than a change waits.
  const linking = t.runtime.dataSource.createQueryRunner();
  await linking.connect();
  try {
    await linking.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [PostgresManagementChainLock.key(network)]);
    const refused = expectProblem(await t.http.patch(usersPath(network, `/${ann.id}`)).set(auth).send({ managerId: bob.id }), 409);
    expect(refused.detail).toBe('An import is setting the managers of this network right now: try again in a moment.');
    // Other changes do not wait for it.
    expect((await t.http.patch(usersPath(network, `/${ann.id}`)).set(auth).send({ title: 'Director' })).status).toBe(200);
  } finally {
    await linking.query(`SELECT pg_advisory_unlock_all()`);
    await linking.release();
  }
  expect((await t.http.patch(usersPath(network, `/${ann.id}`)).set(auth).send({ managerId: bob.id })).status).toBe(200);
}, 30_000);
