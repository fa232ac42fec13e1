/**
 * A penetration test of the wall between networks: an admin of network A, with a valid token for A only, aims
 * every route at network B's users and imports through A's own paths (the 403 for B's paths is in auth.test.ts),
 * names B's users as managers by id, e-mail and CSV, and probes the list's search and cursor. Each test asserts
 * what the attacker sees (status, body) and that B's rows are as they were.
 */
import { SignJWT } from 'jose';
import { startTestApp, TEST_JWT_SECRET, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem, networkFootprint, usersPath } from '../../support/users-api.js';
import { csv, errorsCsv, importCsv, importsPath, usersOf } from '../../support/imports.js';

let t: TestApp;
let networkA: string;
let networkB: string;
let tokenA: { Authorization: string };
let tokenB: { Authorization: string };
let bob: Record<string, any>;
let bobsImport: string;

beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
  networkA = uniqueNetworkId('attacker');
  networkB = uniqueNetworkId('victim');
  tokenA = await t.authHeader([networkA], 'mallory@a.example');
  tokenB = await t.authHeader([networkB], 'admin@b.example');
  bob = await createUserOverHttp(t, networkB, { email: 'bob@b.example', name: 'Bob Victim', title: 'CFO' });
  // B's import created a user nobody has invited yet, and rejected a line.
  const report = await importCsv(t, networkB, csv('email/login,name', 'carol@b.example,Carol Victim', 'not-an-email,Secret Row'));
  bobsImport = report.id;
});
afterAll(() => t.close());

describe("B's user id under A's path", () => {
  it.each([
    ['GET user', () => t.http.get(usersPath(networkA, `/${bob.id}`))],
    ['GET history', () => t.http.get(usersPath(networkA, `/${bob.id}/events`))],
    ['PATCH', () => t.http.patch(usersPath(networkA, `/${bob.id}`)).send({ title: 'Pwned' })],
    ['PATCH with If-Match', () => t.http.patch(usersPath(networkA, `/${bob.id}`)).set('If-Match', '"1"').send({ name: 'Pwned' })],
    ['deactivate', () => t.http.post(usersPath(networkA, `/${bob.id}/deactivate`))],
    ['activate', () => t.http.post(usersPath(networkA, `/${bob.id}/activate`))],
    ['invitation', () => t.http.post(usersPath(networkA, `/${bob.id}/invitation`))],
  ])('%s: 404 like an id nobody has, and B is untouched', async (_name, request) => {
    const before = await networkFootprint(t, networkB);
    const res = await request().set(tokenA);
    expect(expectProblem(res, 404).detail).not.toContain('Bob');
    expect(JSON.stringify(res.body)).not.toMatch(/bob@b\.example|CFO/);
    expect(await networkFootprint(t, networkB)).toEqual(before);
    expect((await t.http.get(usersPath(networkB, `/${bob.id}`)).set(tokenB)).body).toMatchObject({ title: 'CFO', status: 'active', invitation: 'none', version: 1 });
  });
});

describe("B's users named as managers in A", () => {
  it("managerId or managerEmail of B's user: 400 worded as for an address nobody has, nothing linked", async () => {
    const mallory = await createUserOverHttp(t, networkA, { email: 'mallory@a.example', name: 'Mallory' });
    const byId = expectProblem(await t.http.patch(usersPath(networkA, `/${mallory.id}`)).set(tokenA).send({ managerId: bob.id }), 400, 'managerId');
    expect(byId.detail).toBe(`No user with id ${bob.id} in this network can be the manager.`);
    const byEmail = expectProblem(await t.http.patch(usersPath(networkA, `/${mallory.id}`)).set(tokenA).send({ managerEmail: 'bob@b.example' }), 400, 'managerEmail');
    const nobody = expectProblem(await t.http.patch(usersPath(networkA, `/${mallory.id}`)).set(tokenA).send({ managerEmail: 'nobody@b.example' }), 400, 'managerEmail');
    expect(byEmail.detail.replace('bob@b.example', 'X')).toBe(nobody.detail.replace('nobody@b.example', 'X'));
    expectProblem(await t.http.post(usersPath(networkA)).set(tokenA).send({ email: 'eve@a.example', name: 'Eve', managerId: bob.id }), 400, 'managerId');
    expectProblem(await t.http.post(usersPath(networkA)).set(tokenA).send({ email: 'eve@a.example', name: 'Eve', managerEmail: 'bob@b.example' }), 400, 'managerEmail');
    expect((await t.http.get(usersPath(networkA, `/${mallory.id}`)).set(tokenA)).body).toMatchObject({ managerId: null, version: 1 });
  });

  it("a CSV whose manager column names B's user links nobody, and its warning reads as for an address nobody has", async () => {
    const report = await importCsv(t, networkA, csv('email/login,name,manager', 'x1@a.example,X1,bob@b.example', 'x2@a.example,X2,ghost@b.example'));
    expect(report.counts).toMatchObject({ created: 2 });
    const [known, ghost] = report.warnings;
    expect(known.replace('Line 2', 'L').replace('bob@b.example', 'M')).toBe(ghost.replace('Line 3', 'L').replace('ghost@b.example', 'M'));
    const users = await usersOf(t, networkA);
    expect(users.get('x1@a.example')).toMatchObject({ managerId: null, managerEmail: null });
  });

  it("an update-mode CSV naming B's user's e-mail creates A's own user and leaves B's as it was", async () => {
    const before = await networkFootprint(t, networkB);
    const report = await importCsv(t, networkA, csv('email/login,name,title,Enabled', 'bob@b.example,Not Bob,Pwned,FALSE', 'carol@b.example,Carol A,Pwned,TRUE'), { mode: 'update' });
    expect(report.counts).toMatchObject({ rows: 2, created: 1, skipped: 1, updated: 0 });
    expect(await networkFootprint(t, networkB)).toEqual(before);
    expect((await t.http.get(usersPath(networkB, `/${bob.id}`)).set(tokenB)).body).toMatchObject({ name: 'Bob Victim', title: 'CFO', status: 'active' });
  });
});

describe("B's import id under A's path", () => {
  it('report, errors (JSON and CSV) and invitations are 404, and no B user is invited', async () => {
    const before = await networkFootprint(t, networkB);
    for (const res of [
      await t.http.get(importsPath(networkA, `/${bobsImport}`)).set(tokenA),
      await t.http.get(importsPath(networkA, `/${bobsImport}/errors`)).set(tokenA),
      await t.http.get(importsPath(networkA, `/${bobsImport}/errors`)).set(tokenA).set('Accept', 'text/csv'),
      await t.http.post(importsPath(networkA, `/${bobsImport}/invitations`)).set(tokenA),
    ]) {
      expectProblem(res, 404);
      expect(JSON.stringify(res.body)).not.toMatch(/Secret Row|carol@b\.example|users\.csv/);
    }
    expect(await networkFootprint(t, networkB)).toEqual(before);
    expect((await t.http.get(importsPath(networkA)).set(tokenA)).body.items.map((i: { id: string }) => i.id)).not.toContain(bobsImport);
    // B's own admin still sees the rejected line, so the 404 above hid something real.
    expect((await errorsCsv(t, networkB, bobsImport)).rows.flat()).toContain('Secret Row');
  });
});

describe("A's user list", () => {
  // A cursor was the base64 of the page's last e-mail: B's worked on A's list, and anyone could make one up.
  it("finds none of B's users by search; a cursor B was given is a 400 on A's list, and names none of B's users", async () => {
    const searched = await t.http.get(usersPath(networkA)).query({ search: 'Victim' }).set(tokenA).expect(200);
    expect(searched.body.items).toEqual([]);
    await createUserOverHttp(t, networkB, { email: 'aaron@b.example', name: 'Aaron Victim' });
    const firstPageOfB = await t.http.get(usersPath(networkB)).query({ limit: 1 }).set(tokenB).expect(200);
    const cursor: string = firstPageOfB.body.nextCursor;
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain(firstPageOfB.body.items[0].email);
    const pagedInA = await t.http.get(usersPath(networkA)).query({ cursor }).set(tokenA);
    expect(expectProblem(pagedInA, 400, 'cursor').detail).toMatch(/^cursor: is not a cursor this API gave/);
    // On B's own list it goes on after the first page.
    const second = await t.http.get(usersPath(networkB)).query({ limit: 1, cursor }).set(tokenB).expect(200);
    expect(second.body.items[0].email > firstPageOfB.body.items[0].email).toBe(true);
    // A made-up position (the base64 of an e-mail, as the cursor used to be) is refused on B's list too.
    const madeUp = Buffer.from('zzz@b.example').toString('base64url');
    expectProblem(await t.http.get(usersPath(networkB)).query({ cursor: madeUp }).set(tokenB), 400, 'cursor');
  });

  it("a cursor of B's imports list is a 400 on A's", async () => {
    await importCsv(t, networkB, csv('email/login,name', 'dave@b.example,Dave Victim'));
    const firstPageOfB = await t.http.get(importsPath(networkB)).query({ limit: 1 }).set(tokenB).expect(200);
    const cursor: string = firstPageOfB.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    expectProblem(await t.http.get(importsPath(networkA)).query({ cursor }).set(tokenA), 400, 'cursor');
    expect((await t.http.get(importsPath(networkB)).query({ limit: 1, cursor }).set(tokenB).expect(200)).body.items).toHaveLength(1);
  });

  it('% and _ in a search are letters, not wildcards', async () => {
    const network = uniqueNetworkId('like');
    const auth = await t.authHeader([network]);
    await createUserOverHttp(t, network, { email: 'ann@acme.example', name: 'Ann' });
    await createUserOverHttp(t, network, { email: 'pct@acme.example', name: '100% Sure_Thing' });
    const names = async (search: string) => (await t.http.get(usersPath(network)).query({ search }).set(auth).expect(200)).body.items.map((u: { name: string }) => u.name);
    expect(await names('%')).toEqual(['100% Sure_Thing']);
    expect(await names('_')).toEqual(['100% Sure_Thing']);
    expect(await names('\\')).toEqual([]);
    expect(await names("' OR 1=1 --")).toEqual([]);
  });
});

describe('network ids that look like A', () => {
  it.each([['ACME'], ['acme '], ['acme%00'], ['acme%2F..%2Fother'], ['%2e%2e'], ['acme%0d%0aX-Evil:%201']])(
    'a token for "acme" on %s is 403',
    async (path) => {
      const acme = await t.authHeader(['acme']);
      const res = await t.http.get(`/api/v1/networks/${path}/users`).set(acme);
      expect([403, 400, 404]).toContain(res.status);
      expect(res.status).not.toBe(200);
      expect(res.headers['x-evil']).toBeUndefined();
    },
  );

  it('a token whose networks claim is "*" or holds "*" opens no other network', async () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const star = await new SignJWT({ networks: '*' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(key);
    const starInList = await new SignJWT({ networks: ['*'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(key);
    expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${star}`), 401);
    expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${starInList}`), 403);
  });

  it('a token not valid yet (nbf in the future) is a 401', async () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const later = await new SignJWT({ networks: [networkB] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setNotBefore(Math.floor(Date.now() / 1000) + 3600)
      .setExpirationTime('2h')
      .sign(key);
    expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${later}`), 401);
  });

  it('a token without an expiry is a 401: a leaked one would open the network for ever', async () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const forever = await new SignJWT({ networks: [networkB] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(key);
    const problem = expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${forever}`), 401);
    expect(problem.detail).toBe('The bearer token was refused: it has no "exp" claim (when it expires); get one that does.');
  });
});

describe('JSON bodies', () => {
  it('__proto__ and constructor keys are a 400 naming them, and change nothing', async () => {
    const network = uniqueNetworkId('proto');
    const auth = await t.authHeader([network]);
    const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
    for (const body of ['{"__proto__":{"status":"deactivated","title":"Pwned"}}', '{"constructor":{"prototype":{"title":"Pwned"}}}', '{"title":"T","__proto__":{"managerId":null}}']) {
      const res = await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400);
    }
    const created = await t.http.post(usersPath(network)).set(auth).set('Content-Type', 'application/json').send('{"email":"p@acme.example","name":"P","__proto__":{"status":"deactivated"}}');
    expectProblem(created, 400);
    expect((await t.http.get(usersPath(network, `/${will.id}`)).set(auth)).body).toMatchObject({ title: null, status: 'active', version: 1 });
    expect(({} as Record<string, unknown>).status).toBeUndefined();
  });
});

describe('the error CSV an admin opens in a spreadsheet', () => {
  it('a formula after leading blanks (LibreOffice trims them on request, then runs it) gets the guard too', async () => {
    const network = uniqueNetworkId('formula');
    const file = csv('name,email/login,title', '" =HYPERLINK(""http://evil.example"",""x"")",bad-1,"\u00a0@SUM(1+1)"', `"  -2+3",bad-2,"  +cmd|' /C calc'!A0"`);
    const report = await importCsv(t, network, file);
    expect(report.counts).toMatchObject({ rejected: 2 });
    const { rows } = await errorsCsv(t, network, report.id);
    const cells = rows.slice(1).flatMap((r) => [r[0], r[2]]);
    expect(cells).toEqual([" =HYPERLINK(\"http://evil.example\",\"x\")", "\u00a0@SUM(1+1)", '  -2+3', "  +cmd|' /C calc'!A0"].map((c) => `'${c}`));
  });
});


describe('what a shared computer or a proxy keeps', () => {
  it('no API answer may be stored: a directory page, a report, the error CSV and a refusal all say Cache-Control: no-store', async () => {
    const answers = [
      await t.http.get(usersPath(networkB)).set(tokenB),
      await t.http.get(importsPath(networkB, `/${bobsImport}`)).set(tokenB),
      await t.http.get(importsPath(networkB, `/${bobsImport}/errors`)).set(tokenB).set('Accept', 'text/csv'),
      await t.http.get(usersPath(networkB)).set(tokenA),
      await t.http.get(usersPath(networkB)),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 403, 401]);
    for (const res of answers) expect(res.headers['cache-control']).toBe('no-store');
  });
});
