import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Response } from 'supertest';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem, networkFootprint, USERS_ROUTES, usersPath } from '../../support/users-api.js';

describe('bad input is a 400 naming the field (never a 500), conflicts 409, unknown users 404', () => {
  let t: TestApp;
  let network: string;
  let auth: { Authorization: string };
  let will: Record<string, any>;
  const statuses: number[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    network = uniqueNetworkId('bad');
    auth = await t.authHeader([network]);
    will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
  });
  afterAll(async () => {
    // Nothing in this file may ever have answered a 5xx.
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    await t.close();
  });

  const seen = (res: Response) => {
    statuses.push(res.status);
    return res;
  };
  /** Sends an empty body exactly as asked: with Content-Length: 0, or chunked with no chunk at all. */
  const sendEmptyBody = (method: string, path: string, type: string, chunked: boolean) =>
    new Promise<{ status: number; type: string; detail: string }>((resolve, reject) => {
      const headers = { ...auth, 'Content-Type': type, ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': '0' }) };
      const req = request(`${t.baseUrl}${path}`, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          statuses.push(res.statusCode ?? 0);
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', detail: (JSON.parse(text) as { detail: string }).detail });
        });
      });
      req.on('error', reject).end();
    });
  const create = async (body: unknown) => seen(await t.http.post(usersPath(network)).set(auth).send(body as object));
  const update = async (body: unknown) => seen(await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).send(body as object));

  describe('POST create', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['missing e-mail', { name: 'X' }, 'email'],
      ['a bad e-mail', { email: 'not-an-email', name: 'X' }, 'email'],
      ['an e-mail with a space', { email: 'will smith@acme.example', name: 'X' }, 'email'],
      ['an e-mail of the wrong type', { email: 42, name: 'X' }, 'email'],
      ['a name of the wrong type', { email: 'x@acme.example', name: 7 }, 'name'],
      ['an empty name', { email: 'x@acme.example', name: '   ' }, 'name'],
      ['a name too long', { email: 'x@acme.example', name: 'x'.repeat(201) }, 'name'],
      ['no name and no first/last name', { email: 'x@acme.example' }, 'name'],
      ['an impossible mobile', { email: 'x@acme.example', name: 'X', mobile: '12' }, 'mobile'],
      ['a mobile that is not a number', { email: 'x@acme.example', name: 'X', mobile: 'call me' }, 'mobile'],
      ['a mobile of the wrong type', { email: 'x@acme.example', name: 'X', mobile: 441234567890 }, 'mobile'],
      ['a title that is an object', { email: 'x@acme.example', name: 'X', title: { a: 1 } }, 'title'],
      ['a managerId that is not a uuid', { email: 'x@acme.example', name: 'X', managerId: 'boss' }, 'managerId'],
      ['a managerId of nobody in this network', { email: 'x@acme.example', name: 'X', managerId: randomUUID() }, 'managerId'],
      ['a managerEmail of nobody in this network', { email: 'x@acme.example', name: 'X', managerEmail: 'ghost@acme.example' }, 'managerEmail'],
      ['a bad managerEmail', { email: 'x@acme.example', name: 'X', managerEmail: 'boss' }, 'managerEmail'],
      ['an unknown property', { email: 'x@acme.example', name: 'X', isAdmin: true }, 'isAdmin'],
      ['a status (not settable on create)', { email: 'x@acme.example', name: 'X', status: 'deactivated' }, 'status'],
      ['a NUL character', { email: 'x@acme.example', name: 'X\u0000Y' }, 'name'],
      ['half an emoji (a lone surrogate)', { email: 'x@acme.example', name: 'X', title: 'CEO \uD83D' }, 'title'],
      ['a name with a right-to-left override (reads as another name)', { email: 'x@acme.example', name: 'Ann \u202Enimda' }, 'name'],
      ['a title with a direction isolate', { email: 'x@acme.example', name: 'X', title: 'CEO\u2067' }, 'title'],
    ])('%s → 400 on %s', async (_label, body, field) => {
      const before = await networkFootprint(t, network);
      const res = await create(body);
      expectProblem(res, 400, field);
      expect(res.body.detail.toLowerCase()).toContain(field.replace(/^(managerId|managerEmail)$/, 'manager').toLowerCase());
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it.each<[string, string]>([
      ['malformed JSON', '{"email": "x@acme.example", '],
      ['a JSON array', '[{"email":"x@acme.example","name":"X"}]'],
      ['JSON null', 'null'],
      ['a JSON string', '"x@acme.example"'],
    ])('%s → 400', async (_label, raw) => {
      const res = seen(await t.http.post(usersPath(network)).set(auth).set('Content-Type', 'application/json').send(raw));
      expectProblem(res, 400);
    });

    it.each([
      ['null', 'The request body must be a JSON object, not null.'],
      ['"x@acme.example"', 'The request body must be a JSON object, not a string.'],
      ['42', 'The request body must be a JSON object, not a number.'],
      ['{"email":', 'The request body is not valid JSON.'],
    ])('a body of %s says what is wrong with it: %s', async (raw, detail) => {
      const res = seen(await t.http.post(usersPath(network)).set(auth).set('Content-Type', 'application/json').send(raw));
      expect(expectProblem(res, 400).detail).toBe(detail);
    });

    it('a managerId and a managerEmail naming two different users → 400 saying to give one, nothing written; naming the same one is fine', async () => {
      const boss = await createUserOverHttp(t, network, { email: 'boss.two@acme.example', name: 'Boss Two' });
      const before = await networkFootprint(t, network);
      const both = await create({ email: 'x@acme.example', name: 'X', managerId: will.id, managerEmail: 'boss.two@acme.example' });
      expect(expectProblem(both, 400, 'managerEmail').detail).toBe('managerId and managerEmail name different managers: give one of them.');
      const clearOne = await update({ managerId: null, managerEmail: 'boss.two@acme.example' });
      expectProblem(clearOne, 400, 'managerEmail');
      expect(await networkFootprint(t, network)).toEqual(before);
      const same = await create({ email: 'same.boss@acme.example', name: 'Y', managerId: boss.id, managerEmail: 'BOSS.TWO@acme.example' });
      expect(same.status).toBe(201);
      expect(same.body).toMatchObject({ managerId: boss.id, managerEmail: 'boss.two@acme.example' });
    });

    it('a form post (curl -d) → 415 saying to send JSON, not that the e-mail is missing', async () => {
      const res = seen(await t.http.post(usersPath(network)).set(auth).type('form').send('email=form%40acme.example&name=Form'));
      expect(expectProblem(res, 415).detail).toBe('The request body was sent as application/x-www-form-urlencoded; send the new user as JSON, with "Content-Type: application/json".');
    });

    it('a body of arrays nested 400,000 deep (under 1 MB) → 400 on the field, not a 500 (the NUL check recursed past the stack)', async () => {
      const depth = 400_000;
      const raw = `{"email":${'['.repeat(depth)}${']'.repeat(depth)},"name":"Deep"}`;
      const res = seen(await t.http.post(usersPath(network)).set(auth).set('Content-Type', 'application/json').send(raw));
      expect(expectProblem(res, 400, 'email').detail).toBe('email: must be a string');
    });

    it('an empty JSON body (curl -d \'\') → 400 "no body", not "email: is required"', async () => {
      const before = await networkFootprint(t, network);
      const res = await sendEmptyBody('POST', usersPath(network), 'application/json', false);
      expect(res.status).toBe(400);
      expect(res.detail).toBe('The request has no body; send the new user as a JSON object, with "Content-Type: application/json".');
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('malformed JSON says so', async () => {
      const res = seen(await t.http.post(usersPath(network)).set(auth).set('Content-Type', 'application/json').send('{"email":'));
      expect(expectProblem(res, 400).detail).toBe('The request body is not valid JSON.');
    });

    it('a body over 1 MB → 413', async () => {
      const res = seen(await t.http.post(usersPath(network)).set(auth).send({ email: 'x@acme.example', name: 'x'.repeat(1_100_000) }));
      expectProblem(res, 413);
    });

    it('a duplicate e-mail, in another case → 409 naming the field, nothing written', async () => {
      const before = await networkFootprint(t, network);
      const res = await create({ email: 'WILL@acme.EXAMPLE', name: 'Other Will' });
      expect(expectProblem(res, 409, 'email').detail).toMatch(/already exists/);
      expect(await networkFootprint(t, network)).toEqual(before);
    });
  });

  describe('PATCH update', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['a bad e-mail', { email: 'nope' }, 'email'],
      ['an e-mail set to null', { email: null }, 'email'],
      ['a name set to null', { name: null }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['an impossible mobile', { mobile: '+1 2' }, 'mobile'],
      ['a firstName of the wrong type', { firstName: false }, 'firstName'],
      ['an unknown property', { status: 'deactivated' }, 'status'],
      ['an id in the body', { id: randomUUID() }, 'id'],
      ['a non-uuid managerId', { managerId: 123 }, 'managerId'],
      ['a managerId of nobody', { managerId: randomUUID() }, 'managerId'],
      ['themselves as manager', { managerId: '__self__' }, 'managerId'],
    ])('%s → 400 on %s, nothing written', async (_label, body, field) => {
      const before = await networkFootprint(t, network);
      const res = await update(body.managerId === '__self__' ? { managerId: will.id } : body);
      expectProblem(res, 400, field);
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('malformed JSON → 400', async () => {
      const res = seen(await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set('Content-Type', 'application/json').send('{title: CTO}'));
      expectProblem(res, 400);
    });

    // Only JSON is parsed: any other body reached the handler as no body, and the PATCH answered 200 "nothing changed".
    it.each<[string, string | undefined, string]>([
      ['text/plain', 'text/plain', 'The request body was sent as text/plain; send the fields to change as JSON, with "Content-Type: application/json".'],
      ['a form (curl -d without -H)', 'application/x-www-form-urlencoded', 'The request body was sent as application/x-www-form-urlencoded; send the fields to change as JSON'],
      ['no Content-Type', undefined, 'The request body was sent without a Content-Type; send the fields to change as JSON'],
    ])('a JSON body sent as %s → 415 saying to send JSON, nothing written', async (_label, type, detail) => {
      const before = await networkFootprint(t, network);
      const req = t.http.patch(usersPath(network, `/${will.id}`)).set(auth);
      const res = seen(await (type ? req.set('Content-Type', type) : req).send(Buffer.from(JSON.stringify({ title: 'Sent as text' }))));
      expect(expectProblem(res, 415).detail).toContain(detail);
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it.each<[string, Record<string, string>, string | Buffer, number, string]>([
      ['a charset other than UTF-8', { 'Content-Type': 'application/json; charset=latin1' }, '{"title":"X"}', 415, 'The request body is in the charset "latin1"; send JSON in UTF-8 (Content-Type: application/json; charset=utf-8).'],
      ['a Content-Encoding the API does not read', { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' }, '{"title":"X"}', 415, 'The request body has a Content-Encoding this API does not read; send it uncompressed, or as gzip, deflate or br.'],
      ['gzip that is not gzip', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, '{"title":"X"}', 400, 'The request body could not be decompressed: it is not what its Content-Encoding says.'],
    ])('%s → a refusal in plain words, not the parser\'s ("unsupported charset \"LATIN1\"", "incorrect header check")', async (_label, headers, body, status, detail) => {
      const before = await networkFootprint(t, network);
      const res = seen(await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set(headers).send(body));
      expect(expectProblem(res, status).detail).toBe(detail);
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('no body at all → 400 saying to send the fields to change, nothing written', async () => {
      const before = await networkFootprint(t, network);
      const res = seen(await t.http.patch(usersPath(network, `/${will.id}`)).set(auth));
      expect(expectProblem(res, 400).detail).toBe('The request has no body; send the fields to change as a JSON object, with "Content-Type: application/json".');
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    // The JSON parser reads an empty body as {}: the PATCH answered 200 "X-Changed: false", as if it had succeeded.
    it.each<[string, string, boolean]>([
      ['Content-Length: 0', 'application/json', false],
      ['Content-Length: 0', 'application/merge-patch+json', false],
      ['chunked, no chunk', 'application/json', true],
    ])('an empty body (%s, %s) → the same 400 as no body, nothing written', async (_label, type, chunked) => {
      const before = await networkFootprint(t, network);
      const res = await sendEmptyBody('PATCH', usersPath(network, `/${will.id}`), type, chunked);
      expect(res.status).toBe(400);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(res.detail).toBe('The request has no body; send the fields to change as a JSON object, with "Content-Type: application/json".');
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('accepts application/merge-patch+json', async () => {
      const res = seen(await t.http.patch(usersPath(network, `/${will.id}`)).set(auth).set('Content-Type', 'application/merge-patch+json').send(JSON.stringify({ title: 'Merge' })));
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('Merge');
    });
  });

  describe('GET list query', () => {
    const limitRange = 'limit: must be a whole number from 1 to 200';
    const notOurCursor = 'cursor: is not a cursor this API gave';
    it.each<[string, Record<string, string | string[]>, string, string]>([
      ['an unknown status', { status: 'deleted' }, 'status', 'status: must be "active" or "deactivated"'],
      ['a limit of 0', { limit: '0' }, 'limit', limitRange],
      ['a limit over 200', { limit: '201' }, 'limit', limitRange],
      ['a limit that is not a number', { limit: 'ten' }, 'limit', limitRange],
      ['a limit past any integer', { limit: '99999999999999999999' }, 'limit', limitRange],
      ['a limit in exponent notation', { limit: '1e2' }, 'limit', limitRange],
      ['a limit in hexadecimal', { limit: '0x10' }, 'limit', limitRange],
      ['a limit with a blank before it', { limit: ' 20' }, 'limit', limitRange],
      ['a limit with a fraction', { limit: '1.5' }, 'limit', limitRange],
      ['a limit given twice', { limit: ['1', '2'] }, 'limit', 'limit: is given 2 times; give it once'],
      ['a search given twice', { search: ['ann', 'bob'] }, 'search', 'search: is given 2 times; give it once'],
      ['a cursor this API did not give', { cursor: 'AA' }, 'cursor', notOurCursor],
      ['a garbage cursor', { cursor: '!!!' }, 'cursor', notOurCursor],
      ['a made-up cursor that decodes ({"x":1})', { cursor: 'eyJ4IjoxfQ' }, 'cursor', notOurCursor],
      ['the imports list\'s cursor', { cursor: Buffer.from(`2026-11-25T08:00:00.000Z|${randomUUID()}`).toString('base64url') }, 'cursor', notOurCursor],
      ['an unknown parameter', { sort: 'name' }, 'sort', 'sort: is not a field of this request, which has: status, search, cursor, limit'],
      ['a NUL in the search', { search: 'a\u0000' }, 'search', 'search'],
    ])('%s → 400 on %s, saying what is expected', async (_label, query, field, detail) => {
      const res = seen(await t.http.get(usersPath(network)).query(query).set(auth));
      expectProblem(res, 400, field);
      expect(res.body.detail).toContain(detail);
    });
  });

  // Only the list refused unknown query parameters; the other routes ignored them (…/events?limit=1 gave every event).
  describe('a query parameter a route does not take', () => {
    it.each(USERS_ROUTES.filter((r) => r.name !== 'list users').map((r) => [r.name, r] as const))('%s?x=1 → 400 naming it, nothing written', async (_name, route) => {
      const before = await networkFootprint(t, network);
      const body = route.body?.();
      const req = t.http[route.method](`${route.path(network, will.id)}?x=1`).set(auth);
      const res = seen(await (body ? req.send(body) : req));
      expect(expectProblem(res, 400, 'x').detail).toBe('x: is not a field of this request, which takes no query parameters');
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('the history with ?limit=1 → 400 on limit (it takes no limit), not every event', async () => {
      expectProblem(seen(await t.http.get(`${usersPath(network, `/${will.id}/events`)}?limit=1`).set(auth)), 400, 'limit');
    });
  });

  describe('user ids and unknown users', () => {
    const withUser = USERS_ROUTES.filter((r) => r.template.includes('{userId}'));

    it.each(withUser.map((r) => [r.name, r] as const))('%s: a non-uuid userId → 400 on userId', async (_name, route) => {
      for (const bad of ['123', 'not-a-uuid', `${randomUUID()}x`]) {
        const req = t.http[route.method](route.path(network, bad)).set(auth);
        const res = seen(await (route.body ? req.send(route.body()) : req));
        expectProblem(res, 400, 'userId');
      }
    });

    it.each(withUser.map((r) => [r.name, r] as const))('%s: an unknown user → 404, nothing written', async (_name, route) => {
      const before = await networkFootprint(t, network);
      const req = t.http[route.method](route.path(network, randomUUID())).set(auth);
      const res = seen(await (route.body ? req.send(route.body()) : req));
      expect(expectProblem(res, 404).detail).toMatch(/no user|does not exist/i);
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('an unknown route → 404 Problem+JSON', async () => {
      expectProblem(seen(await t.http.get('/api/v1/nothing-here').set(auth)), 404);
      expectProblem(seen(await t.http.get(usersPath(network, `/${will.id}/nothing-here`)).set(auth)), 404);
    });

    it('a path with a %-escape that is not UTF-8 → 400 saying so in words, not "Failed to decode param"', async () => {
      const res = seen(await t.http.get('/api/v1/networks/%ff/users').set(auth));
      expect(expectProblem(res, 400).detail).toBe('The address has a %-escape that is not UTF-8 ("%ff"): percent-encode the text of the path as UTF-8, as encodeURIComponent does.');
    });

    it('a method the path does not serve (DELETE a user, PUT the list) → 405 with Allow, not 404; nothing written', async () => {
      const before = await networkFootprint(t, network);
      const deleted = seen(await t.http.delete(usersPath(network, `/${will.id}`)).set(auth));
      expect(expectProblem(deleted, 405).detail).toBe('DELETE is not served at this address; it answers GET, HEAD, PATCH.');
      expect(deleted.headers.allow).toBe('GET, HEAD, PATCH');
      const put = seen(await t.http.put(usersPath(network)).set(auth).send([{ email: 'x@acme.example', name: 'X' }]));
      expectProblem(put, 405);
      expect(put.headers.allow).toBe('GET, HEAD, POST');
      const get = seen(await t.http.get(usersPath(network, `/${will.id}/deactivate`)).set(auth));
      expectProblem(get, 405);
      expect(get.headers.allow).toBe('POST');
      expect(await networkFootprint(t, network)).toEqual(before);
    });

    it('OPTIONS → 204 with Allow; HEAD → the GET answer\'s status and headers, without a body', async () => {
      const options = seen(await t.http.options(usersPath(network, `/${will.id}`)).set(auth));
      expect(options.status).toBe(204);
      expect(options.headers.allow).toBe('GET, HEAD, PATCH');
      const get = seen(await t.http.get(usersPath(network, `/${will.id}`)).set(auth));
      const head = seen(await t.http.head(usersPath(network, `/${will.id}`)).set(auth));
      expect(head.status).toBe(200);
      expect(head.headers.etag).toBe(get.headers.etag);
      expect(head.text ?? '').toBe('');
    });
  });
});
