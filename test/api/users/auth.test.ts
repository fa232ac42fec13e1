import { SignJWT } from 'jose';
import { startTestApp, TEST_JWT_SECRET, testToken, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, expectProblem, networkFootprint, USERS_ROUTES as ROUTES, usersPath, type UsersRoute as Route } from '../../support/users-api.js';

const key = new TextEncoder().encode(TEST_JWT_SECRET);

describe('who may call the users API', () => {
  let t: TestApp;
  let networkB: string;
  let userB: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApp();
    networkB = uniqueNetworkId('victim');
    userB = await createUserOverHttp(t, networkB, { email: 'will@b.example', name: 'Will B' });
  });
  afterAll(() => t.close());

  function send(route: Route, headers: Record<string, string>, body = route.body?.()) {
    const req = t.http[route.method](route.path(networkB, userB.id)).set(headers);
    return body ? req.send(body) : req;
  }

  describe('403: a token for network A used on network B, route by route, writes nothing', () => {
    it.each(ROUTES.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
      const networkA = uniqueNetworkId('attacker');
      const tokenA = await t.authHeader([networkA], 'mallory@a.example');
      const before = await networkFootprint(t, networkB);

      const res = await send(route, tokenA);
      expect(expectProblem(res, 403).detail).toContain(networkB);
      // Also when the input is invalid: authorisation is decided before anything is read or validated.
      expectProblem(await send(route, tokenA, route.method === 'get' ? undefined : { email: 'not-an-email', bogus: true }), 403);
      expect(await networkFootprint(t, networkB)).toEqual(before);

      // B's own admin gets through on exactly the same request.
      const owner = await send(route, await t.authHeader([networkB]));
      expect(owner.status).toBe(route.ownerStatus);
    });
  });

  describe('401 route by route', () => {
    it.each(ROUTES.map((r) => [r.name, r] as const))('%s: without a token, with a malformed or forged token', async (_name, route) => {
      const before = await networkFootprint(t, networkB);
      const forged = await new SignJWT({ networks: [networkB] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(new TextEncoder().encode('some-other-secret-0123456789'));
      for (const headers of [{} as Record<string, string>, { Authorization: 'Basic dXNlcjpwYXNz' }, { Authorization: 'Bearer' }, { Authorization: 'Bearer not.a.jwt' }, { Authorization: `Bearer ${forged}` }]) {
        const res = await send(route, headers);
        expectProblem(res, 401);
        // RFC 9110 §11.6.1: a 401 says which scheme to authenticate with (clients and proxies read it; it was missing).
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="office-chat-users"/);
      }
      expect(await networkFootprint(t, networkB)).toEqual(before);
    });
  });

  it('401 for an expired token, saying why', async () => {
    const expired = await new SignJWT({ networks: [networkB], email: 'old@b.example' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('old')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    const res = await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${expired}`);
    expect(expectProblem(res, 401).detail).toBe('The bearer token was refused: it has expired (its "exp" time has passed); get a new one.');
  });

  it('401 for a malformed or forged token, in words', async () => {
    const forged = await new SignJWT({ networks: [networkB] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(new TextEncoder().encode('some-other-secret-0123456789'));
    const detail = async (token: string) => expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${token}`), 401).detail;
    expect(await detail('not.a.jwt')).toBe('The bearer token was refused: it is not a well-formed JSON Web Token.');
    // RFC 6750: a token that was sent but refused is an invalid_token; no token at all names only the scheme.
    expect((await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${forged}`)).headers['www-authenticate']).toBe('Bearer realm="office-chat-users", error="invalid_token"');
    expect((await t.http.get(usersPath(networkB))).headers['www-authenticate']).toBe('Bearer realm="office-chat-users"');
    expect(await detail(forged)).toBe('The bearer token was refused: its signature does not match: it was not issued for this service.');
  });

  it('401 invalid_token for a token followed by more words, which a token sent alone would pass, and trailing blanks are fine', async () => {
    const token = await t.tokenFor([networkB]);
    const res = await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${token} extra`);
    expect(expectProblem(res, 401).detail).toBe('The bearer token was refused: the Authorization header holds more than one word after "Bearer"; send the token alone.');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="office-chat-users", error="invalid_token"');
    expect((await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${token}  `)).status).toBe(200);
  });

  it('401 for a token without the networks claim or without sub', async () => {
    const noNetworks = await new SignJWT({ email: 'x@b.example' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(key);
    const noSub = await new SignJWT({ networks: [networkB] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${noNetworks}`), 401);
    expectProblem(await t.http.get(usersPath(networkB)).set('Authorization', `Bearer ${noSub}`), 401);
  });

  // An empty sub was accepted, and the events written with it named nobody as their actor.
  it.each([
    ['empty', ''],
    ['blank', ' \t '],
  ])('401 invalid_token for a token whose sub is %s, saying why, and nothing written', async (_label, sub) => {
    const token = await new SignJWT({ networks: [networkB], email: 'x@b.example' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1h').sign(key);
    const before = await networkFootprint(t, networkB);
    const res = await t.http.post(usersPath(networkB)).set('Authorization', `Bearer ${token}`).send({ email: 'nobody@b.example', name: 'Nobody' });
    expect(expectProblem(res, 401).detail).toBe('The bearer token was refused: its "sub" claim is empty; it must be the admin\'s id, recorded as the actor of each change.');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="office-chat-users", error="invalid_token"');
    expect(await networkFootprint(t, networkB)).toEqual(before);
  });

  // The JSON body was parsed ahead of authentication: an anonymous caller got 400 for a broken body, 413 for a big one.
  describe('the body is read only once the caller may use the route', () => {
    const broken = '{';
    const big = JSON.stringify({ email: 'big@b.example', name: 'x'.repeat(1_100_000) });

    it.each([
      ['a broken JSON body', broken],
      ['a body over 1 MB', big],
    ])('%s without a token → 401 with WWW-Authenticate, not 400/413', async (_label, body) => {
      const res = await t.http.post(usersPath(networkB)).set('Content-Type', 'application/json').send(body);
      expect(expectProblem(res, 401).detail).toBe('Sign in: send "Authorization: Bearer <token>" with an admin token.');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="office-chat-users"');
    });

    it.each([
      ['a broken JSON body', broken],
      ['a body over 1 MB', big],
    ])('%s with another network\'s token → 403, on create and on PATCH', async (_label, body) => {
      const other = { Authorization: `Bearer ${await testToken(['another-network'])}` };
      expectProblem(await t.http.post(usersPath(networkB)).set(other).set('Content-Type', 'application/json').send(body), 403);
      expectProblem(await t.http.patch(usersPath(networkB, `/${userB.id}`)).set(other).set('Content-Type', 'application/json').send(body), 403);
    });

    it('the network\'s own admin still gets 400 for the broken body and 413 for the big one', async () => {
      const auth = { Authorization: `Bearer ${await testToken([networkB])}` };
      expect(expectProblem(await t.http.post(usersPath(networkB)).set(auth).set('Content-Type', 'application/json').send(broken), 400).detail).toBe('The request body is not valid JSON.');
      expectProblem(await t.http.post(usersPath(networkB)).set(auth).set('Content-Type', 'application/json').send(big), 413);
    });

    it('health and unknown routes do not read a body: liveness answers 200, an unknown route 404', async () => {
      expect((await t.http.get('/health/live').set('Content-Type', 'application/json').send(broken)).status).toBe(200);
      expectProblem(await t.http.post('/nope').set('Content-Type', 'application/json').send(broken), 404);
    });
  });

  it('a token for several networks works on each of them; "Bearer" is case-insensitive', async () => {
    const networkC = uniqueNetworkId('multi');
    const token = await testToken([networkB, networkC]);
    await t.http.get(usersPath(networkB)).set('Authorization', `bearer ${token}`).expect(200);
    await t.http.get(usersPath(networkC)).set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('health, metrics and the docs need no token', async () => {
    await t.http.get('/health/live').expect(200);
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/metrics').expect(200);
    await t.http.get('/api/docs').expect(200);
    await t.http.get('/api/openapi.yaml').expect(200);
  });
});
