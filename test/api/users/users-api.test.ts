import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem, usersPath } from '../../support/users-api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('users API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('POST /api/v1/networks/{networkId}/users', () => {
    it('creates a user: 201, Location, ETag of its version, X-Changed, the user as JSON with every field', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const manager = await createUserOverHttp(t, network, { email: 'anna@acme.example', name: 'Anna Boss' });
      const res = await t.http
        .post(usersPath(network))
        .set(auth)
        .send({ email: ' Will@Acme.Example ', firstName: 'Will', lastName: 'Smith', title: 'Engineer', mobile: '(+91)1234123411', managerEmail: 'ANNA@acme.example' })
        .expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        networkId: network,
        email: 'Will@Acme.Example',
        name: 'Will Smith',
        firstName: 'Will',
        lastName: 'Smith',
        title: 'Engineer',
        mobile: '+911234123411',
        managerId: manager.id,
        managerEmail: 'anna@acme.example',
        status: 'active',
        invitation: 'none',
        version: 1, // UserCreated, carrying the manager
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
      expect(res.headers.location).toBe(`/api/v1/networks/${network}/users/${res.body.id}`);
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers['x-changed']).toBe('true');
      // And it is there, right away.
      const got = await t.http.get(res.headers.location).set(auth).expect(200);
      expect(got.body).toEqual(res.body);
    });

    it('composes the name from first and last name when no name is given, and accepts managerId', async () => {
      const network = uniqueNetworkId('api');
      const anna = await createUserOverHttp(t, network, { email: 'anna@acme.example', name: 'Anna' });
      const res = await createUserOverHttp(t, network, { email: 'bo@acme.example', firstName: 'Bo', lastName: 'Li', managerId: anna.id });
      expect(res).toMatchObject({ name: 'Bo Li', managerId: anna.id, managerEmail: 'anna@acme.example' });
    });
  });

  describe('GET /api/v1/networks/{networkId}/users', () => {
    let network: string;
    let auth: { Authorization: string };
    beforeAll(async () => {
      network = uniqueNetworkId('list');
      auth = await t.authHeader([network]);
      for (const [i, name] of ['Alice Archer', 'Bob Baker', 'Carol Cook', 'Dan Dyer', 'Eve Evans', 'Frank Fisher', 'Grace Gale'].entries()) {
        const u = await createUserOverHttp(t, network, { email: `${name.split(' ')[0].toLowerCase()}@list.example`, name });
        if (i % 3 === 0) await t.http.post(usersPath(network, `/${u.id}/deactivate`)).set(auth).expect(200);
      }
    });

    it('lists the network\'s users ordered by e-mail, with nextCursor null on the last page', async () => {
      const res = await t.http.get(usersPath(network)).set(auth).expect(200);
      expect(res.body.items.map((u: { email: string }) => u.email)).toEqual(
        ['alice', 'bob', 'carol', 'dan', 'eve', 'frank', 'grace'].map((n) => `${n}@list.example`),
      );
      expect(res.body.nextCursor).toBeNull();
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
    });

    it('pages with the cursor across pages: no gaps, no repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      const pageSizes: number[] = [];
      do {
        const res: { body: { items: { email: string }[]; nextCursor: string | null } } = await t.http
          .get(usersPath(network))
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        pageSizes.push(res.body.items.length);
        seen.push(...res.body.items.map((u) => u.email));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(pageSizes).toEqual([2, 2, 2, 1]);
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
    });

    it('filters by status', async () => {
      const deactivated = await t.http.get(usersPath(network)).query({ status: 'deactivated' }).set(auth).expect(200);
      expect(deactivated.body.items.map((u: { name: string }) => u.name)).toEqual(['Alice Archer', 'Dan Dyer', 'Grace Gale']);
      const active = await t.http.get(usersPath(network)).query({ status: 'active' }).set(auth).expect(200);
      expect(active.body.items.every((u: { status: string }) => u.status === 'active')).toBe(true);
      expect(active.body.items).toHaveLength(4);
    });

    it('searches name and e-mail, case-insensitively, combined with status and paging', async () => {
      const byName = await t.http.get(usersPath(network)).query({ search: 'baKER' }).set(auth).expect(200);
      expect(byName.body.items.map((u: { name: string }) => u.name)).toEqual(['Bob Baker']);
      const byEmail = await t.http.get(usersPath(network)).query({ search: 'EVE@LIST' }).set(auth).expect(200);
      expect(byEmail.body.items.map((u: { name: string }) => u.name)).toEqual(['Eve Evans']);
      const combined = await t.http.get(usersPath(network)).query({ search: 'a', status: 'active', limit: 1 }).set(auth).expect(200);
      expect(combined.body.items).toHaveLength(1);
      expect(combined.body.nextCursor).toEqual(expect.any(String));
      const none = await t.http.get(usersPath(network)).query({ search: 'nobody-here' }).set(auth).expect(200);
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });

    it('a network with no users lists nothing', async () => {
      const empty = uniqueNetworkId('empty');
      const res = await t.http.get(usersPath(empty)).set(await t.authHeader([empty])).expect(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('GET /api/v1/networks/{networkId}/users/{userId}', () => {
    it('answers the user with its version as ETag', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
      await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).send({ title: 'CTO' }).expect(200);
      const res = await t.http.get(usersPath(network, `/${will.id}`)).set(auth).expect(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({ id: will.id, title: 'CTO', version: 2 });
    });
  });

  describe('PATCH /api/v1/networks/{networkId}/users/{userId}', () => {
    it('with the current If-Match: 200, the changed user, the new ETag; with a stale one: 412 and nothing written', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will', title: 'Engineer' });
      const ok = await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set('If-Match', '"1"').send({ title: 'CTO', mobile: '+44 20 7946 0958' }).expect(200);
      expect(ok.body).toMatchObject({ title: 'CTO', mobile: '+442079460958', version: 2 });
      expect(ok.headers.etag).toBe('"2"');
      expect(ok.headers['x-changed']).toBe('true');

      const stale = await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set('If-Match', '"1"').send({ title: 'Intern' });
      expect(expectProblem(stale, 412).detail).toMatch(/changed since version 1.*version 2/);
      const after = await t.http.get(usersPath(network, `/${will.id}`)).set(auth).expect(200);
      expect(after.body).toMatchObject({ title: 'CTO', version: 2 });
    });

    it('accepts If-Match as the bare number too', async () => {
      const network = uniqueNetworkId('api');
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
      await t.http.patch(usersPath(network, `/${will.id}`)).set(await t.authHeader([network])).set('If-Match', '1').send({ title: 'X' }).expect(200);
    });

    it.each(['*', 'abc', '"1", "2"', '"-1"', '', '"99999999999999999999999"'])('a malformed If-Match %p is a 400 naming the header', async (ifMatch) => {
      const network = uniqueNetworkId('api');
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
      const res = await t.http.patch(usersPath(network, `/${will.id}`)).set(await t.authHeader([network])).set('If-Match', ifMatch).send({ title: 'X' });
      expectProblem(res, 400, 'If-Match');
    });

    it('clears fields with null, removes the manager, and an unchanged body answers X-Changed: false', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const anna = await createUserOverHttp(t, network, { email: 'anna@acme.example', name: 'Anna' });
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will', title: 'Engineer', managerId: anna.id });
      const cleared = await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).send({ title: null, managerId: null }).expect(200);
      expect(cleared.body).toMatchObject({ title: null, managerId: null, managerEmail: null, version: 3 });
      const same = await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).send({ title: null, name: 'Will' }).expect(200);
      expect(same.headers['x-changed']).toBe('false');
      expect(same.body.version).toBe(3);
    });

    it('changing the e-mail to another user\'s address is a 409 naming the field', async () => {
      const network = uniqueNetworkId('api');
      await createUserOverHttp(t, network, { email: 'anna@acme.example', name: 'Anna' });
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
      const res = await t.http.patch(usersPath(network, `/${will.id}`)).set(await t.authHeader([network])).send({ email: 'Anna@Acme.example' });
      expectProblem(res, 409, 'email');
    });

    it('a manager who reports to the user, directly or through others, is a 400 naming the field: no management cycle', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const anna = await createUserOverHttp(t, network, { email: 'anna@acme.example', name: 'Anna' });
      const bo = await createUserOverHttp(t, network, { email: 'bo@acme.example', name: 'Bo', managerId: anna.id });
      const cy = await createUserOverHttp(t, network, { email: 'cy@acme.example', name: 'Cy', managerId: bo.id });
      const byEmail = expectProblem(await t.http.patch(usersPath(network, `/${anna.id}`)).set(auth).send({ managerEmail: 'cy@acme.example' }), 400, 'managerEmail');
      expect(byEmail.detail).toBe("cy@acme.example reports to this user, directly or through others: as this user's manager they would make a management cycle.");
      expectProblem(await t.http.patch(usersPath(network, `/${anna.id}`)).set(auth).send({ managerId: bo.id }), 400, 'managerId');
      expect((await t.http.get(usersPath(network, `/${anna.id}`)).set(auth)).body).toMatchObject({ managerId: null, version: 1 });
      // Outside the chain, or moving down a level, is no cycle.
      const dee = await createUserOverHttp(t, network, { email: 'dee@acme.example', name: 'Dee' });
      expect((await t.http.patch(usersPath(network, `/${anna.id}`)).set(auth).send({ managerId: dee.id })).status).toBe(200);
      expect((await t.http.patch(usersPath(network, `/${cy.id}`)).set(auth).send({ managerId: anna.id })).status).toBe(200);
    });
  });

  describe('deactivate / activate', () => {
    it('deactivates then activates; the second identical call answers X-Changed: false and records no event', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
      const history = async () => (await t.http.get(usersPath(network, `/${will.id}/events`)).set(auth).expect(200)).body.items as { type: string }[];

      const off = await t.http.post(usersPath(network, `/${will.id}/deactivate`)).set(auth).expect(200);
      expect(off.body).toMatchObject({ status: 'deactivated', version: 2 });
      expect(off.headers['x-changed']).toBe('true');
      const offAgain = await t.http.post(usersPath(network, `/${will.id}/deactivate`)).set(auth).expect(200);
      expect(offAgain.headers['x-changed']).toBe('false');
      expect(offAgain.headers['x-unchanged-reason']).toEqual(expect.any(String));
      expect(offAgain.headers.etag).toBe('"2"');
      expect(offAgain.body).toEqual(off.body);
      expect((await history()).map((e) => e.type)).toEqual(['UserCreated', 'UserDeactivated']);

      const on = await t.http.post(usersPath(network, `/${will.id}/activate`)).set(auth).expect(200);
      expect(on.body).toMatchObject({ status: 'active', version: 3 });
      expect(on.headers['x-changed']).toBe('true');
      const onAgain = await t.http.post(usersPath(network, `/${will.id}/activate`)).set(auth).expect(200);
      expect(onAgain.headers['x-changed']).toBe('false');
      expect((await history()).map((e) => e.type)).toEqual(['UserCreated', 'UserDeactivated', 'UserActivated']);
    });
  });

  describe('POST /api/v1/networks/{networkId}/users/{userId}/invitation', () => {
    it('requests an invitation once; asking again changes nothing; a deactivated user cannot be invited (409)', async () => {
      const network = uniqueNetworkId('api');
      const auth = await t.authHeader([network]);
      const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
      const first = await t.http.post(usersPath(network, `/${will.id}/invitation`)).set(auth).expect(200);
      expect(first.body).toMatchObject({ invitation: 'requested', version: 2 });
      expect(first.headers['x-changed']).toBe('true');
      const again = await t.http.post(usersPath(network, `/${will.id}/invitation`)).set(auth).expect(200);
      expect(again.headers['x-changed']).toBe('false');
      expect(again.body.version).toBe(2);

      const bob = await createUserOverHttp(t, network, { email: 'bob@acme.example', name: 'Bob' });
      await t.http.post(usersPath(network, `/${bob.id}/deactivate`)).set(auth).expect(200);
      const refused = await t.http.post(usersPath(network, `/${bob.id}/invitation`)).set(auth);
      expect(expectProblem(refused, 409).detail).toMatch(/deactivated user cannot be invited/);
      expect((await t.http.get(usersPath(network, `/${bob.id}`)).set(auth)).body).toMatchObject({ invitation: 'none', version: 2 });
    });
  });

  describe('GET /api/v1/networks/{networkId}/users/{userId}/events', () => {
    it('shows what changed, when, by whom (token sub and email), with the request id as correlation id', async () => {
      const network = uniqueNetworkId('api');
      const alice = await t.authHeader([network], 'alice@acme.example');
      const bob = await t.authHeader([network], 'bob@acme.example');
      const created = await t.http.post(usersPath(network)).set(alice).set('X-Request-Id', 'req-create-1').send({ email: 'will@acme.example', name: 'Will', title: 'Engineer' }).expect(201);
      expect(created.headers['x-request-id']).toBe('req-create-1');
      const id = created.body.id as string;
      await t.http.patch(usersPath(network, `/${id}`)).set(bob).set('X-Request-Id', 'req-patch-2').send({ title: 'CTO', name: 'Will' }).expect(200);
      await t.http.post(usersPath(network, `/${id}/deactivate`)).set(bob).set('X-Request-Id', 'req-off-3').set('X-Causation-Id', 'ticket-42').expect(200);

      const res = await t.http.get(usersPath(network, `/${id}/events`)).set(alice).expect(200);
      expect(res.body).toEqual({
        items: [
          {
            eventId: expect.stringMatching(UUID),
            version: 1,
            type: 'UserCreated',
            schemaVersion: 2,
            data: { userId: id, networkId: network, email: 'will@acme.example', name: 'Will', firstName: null, lastName: null, title: 'Engineer', mobile: null, managerId: null, managerEmail: null },
            recordedAt: created.body.createdAt,
            actor: { id: 'admin:alice@acme.example', email: 'alice@acme.example' },
            correlationId: 'req-create-1',
            causationId: null,
            importId: null,
          },
          {
            eventId: expect.stringMatching(UUID),
            version: 2,
            type: 'UserProfileUpdated',
            schemaVersion: 1,
            data: { userId: id, changes: { title: 'CTO' } }, // only what changed: the name was the same
            recordedAt: expect.any(String),
            actor: { id: 'admin:bob@acme.example', email: 'bob@acme.example' },
            correlationId: 'req-patch-2',
            causationId: null,
            importId: null,
          },
          {
            eventId: expect.stringMatching(UUID),
            version: 3,
            type: 'UserDeactivated',
            schemaVersion: 1,
            data: { userId: id },
            recordedAt: expect.any(String),
            actor: { id: 'admin:bob@acme.example', email: 'bob@acme.example' },
            correlationId: 'req-off-3',
            causationId: 'ticket-42',
            importId: null,
          },
        ],
      });
    });

    it('without X-Request-Id the generated request id is the correlation id', async () => {
      const network = uniqueNetworkId('api');
      const res = await t.http.post(usersPath(network)).set(await t.authHeader([network])).send({ email: 'will@acme.example', name: 'Will' }).expect(201);
      const requestId = res.headers['x-request-id'];
      expect(requestId).toMatch(UUID);
      const events = await t.http.get(usersPath(network, `/${res.body.id}/events`)).set(await t.authHeader([network])).expect(200);
      expect(events.body.items[0].correlationId).toBe(requestId);
    });

    it('an unsafe X-Request-Id is replaced, not stored', async () => {
      const network = uniqueNetworkId('api');
      const res = await t.http.post(usersPath(network)).set(await t.authHeader([network])).set('X-Request-Id', 'bad id with spaces <script>').send({ email: 'w@acme.example', name: 'W' }).expect(201);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });
  });

  it('the same user id under another network is not found (404), even for its own admin', async () => {
    const a = uniqueNetworkId('api');
    const b = uniqueNetworkId('api');
    const will = await createUserOverHttp(t, a, { email: 'will@acme.example', name: 'Will' });
    const both = await t.authHeader([a, b]);
    expectProblem(await t.http.get(usersPath(b, `/${will.id}`)).set(both), 404);
    expectProblem(await t.http.post(usersPath(b, `/${will.id}/deactivate`)).set(both), 404);
    expect((await t.http.get(usersPath(a, `/${will.id}`)).set(both).expect(200)).body.status).toBe('active');
  });
});
