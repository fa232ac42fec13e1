import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { capturedLogs } from '../../support/logs.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';

describe('health, metrics and logs', () => {
  const logs = capturedLogs({ base: { service: 'office-chat-users' } });
  const lines = logs.lines;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' }, { logger: logs.logger });
  });
  afterAll(() => t.close());

  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, any>);

  it('GET /health/live answers 200 without touching anything', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready answers 200 with the database ok', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('GET /health/ready answers 503 naming the database when it is gone', async () => {
    const broken = await startTestApp();
    try {
      await broken.runtime.dataSource.destroy();
      const res = await broken.http.get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'not ready', checks: { database: { ok: false, error: expect.any(String) } } });
      // Liveness does not depend on the database.
      await broken.http.get('/health/live').expect(200);
    } finally {
      await broken.app.close();
    }
  });

  it('GET /metrics exposes http_request_duration_seconds by route template (not by concrete path), method and status', async () => {
    const network = uniqueNetworkId('metrics');
    const will = await createUserOverHttp(t, network, { email: 'will@acme.example', name: 'Will' });
    await t.http.get(usersPath(network, `/${will.id}`)).set(await t.authHeader([network])).expect(200);
    await t.http.get(usersPath(network, `/${will.id}`)).expect(401);

    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    const route = '/api/v1/networks/:networkId/users/:userId';
    expect(res.text).toMatch(new RegExp(`http_request_duration_seconds_count\\{[^}]*method="GET"[^}]*route="${route}"[^}]*status="200"[^}]*\\} [1-9]`));
    expect(res.text).toMatch(new RegExp(`http_request_duration_seconds_count\\{[^}]*route="${route}"[^}]*status="401"[^}]*\\} [1-9]`));
    expect(res.text).not.toContain(will.id);
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('logs are JSON lines, and each request is logged once with its request id, method, url, status and duration', async () => {
    const network = uniqueNetworkId('logs');
    await t.http.get(usersPath(network)).set(await t.authHeader([network])).set('X-Request-Id', 'log-test-req-1').expect(200);
    await t.http.get(usersPath(network)).set('X-Request-Id', 'log-test-req-2').expect(401);

    expect(lines.length).toBeGreaterThan(0);
    const entries = parsed(); // throws if any line is not JSON
    const first = entries.filter((e) => e.req?.id === 'log-test-req-1');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      level: 30,
      service: 'office-chat-users',
      req: { id: 'log-test-req-1', method: 'GET', url: usersPath(network) },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    const second = entries.filter((e) => e.req?.id === 'log-test-req-2');
    expect(second).toHaveLength(1);
    expect(second[0].res.statusCode).toBe(401);
    // No token ever reaches the logs.
    // (The 401's WWW-Authenticate challenge, "Bearer realm=…", names the scheme, not a token.)
    expect(lines.join('\n')).not.toMatch(/Bearer (?!realm=)|eyJ[\w-]+\.eyJ/);
  });

  it('Nest\'s own start-up messages go through the same JSON logger', () => {
    expect(parsed().some((e) => typeof e.msg === 'string' && /Nest application successfully started|Mapped \{/.test(e.msg))).toBe(true);
  });

  it('the liveness probe and /metrics are not access-logged', async () => {
    await t.http.get('/health/live').set('X-Request-Id', 'log-test-live').expect(200);
    await t.http.get('/metrics').set('X-Request-Id', 'log-test-metrics').expect(200);
    expect(parsed().filter((e) => e.req?.id === 'log-test-live' || e.req?.id === 'log-test-metrics')).toEqual([]);
  });
});
