/** Small helpers for tests that drive the users API over HTTP. */
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { TestApp } from './app.js';

export const usersPath = (network: string, suffix = '') => `/api/v1/networks/${encodeURIComponent(network)}/users${suffix}`;

/** Creates a user and fails the test unless the API answers 201. */
export async function createUserOverHttp(t: TestApp, network: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await t.http.post(usersPath(network)).set(await t.authHeader([network])).send(body);
  if (res.status !== 201) throw new Error(`creating ${JSON.stringify(body)} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every error of this API is RFC 9457 Problem+JSON; this checks the shape and returns the body. */
export function expectProblem(res: Response, status: number, field?: string): Record<string, any> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body ?? res.text)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^https?:\/\//), title: expect.any(String), status, detail: expect.any(String) });
  expect(res.body.detail.length).toBeGreaterThan(10);
  expect(res.body.instance).toBe((res as unknown as { req: { path: string } }).req.path);
  if (field !== undefined) expect(res.body.field).toBe(field);
  return res.body;
}

/** Counts of what a network holds, to prove a refused request wrote nothing. */
export async function networkFootprint(t: TestApp, network: string): Promise<{ events: number; users: number; maxVersion: number }> {
  const [row] = await t.runtime.dataSource.query<{ events: number; users: number; max_version: number }[]>(
    `SELECT (SELECT count(*)::int FROM events WHERE network_id = $1) AS events,
            (SELECT count(*)::int FROM users WHERE network_id = $1) AS users,
            (SELECT coalesce(max(version), 0)::int FROM users WHERE network_id = $1) AS max_version`,
    [network],
  );
  return { events: row.events, users: row.users, maxVersion: row.max_version };
}

export interface UsersRoute {
  name: string;
  /** The route as the OpenAPI document writes it. */
  template: string;
  method: 'get' | 'post' | 'patch';
  path: (network: string, userId: string) => string;
  /** A valid body, fresh on each call. */
  body?: () => Record<string, unknown>;
  /** What the network's own admin gets for the same request: proves the route exists and would have acted. */
  ownerStatus: number;
}

/** Every route of the users API. The contract test checks this list against the routes the app serves. */
export const USERS_ROUTES: UsersRoute[] = [
  { name: 'create user', template: '/api/v1/networks/{networkId}/users', method: 'post', path: (n) => usersPath(n), body: () => ({ email: `new-${randomUUID()}@acme.example`, name: 'New' }), ownerStatus: 201 },
  { name: 'list users', template: '/api/v1/networks/{networkId}/users', method: 'get', path: (n) => usersPath(n), ownerStatus: 200 },
  { name: 'get user', template: '/api/v1/networks/{networkId}/users/{userId}', method: 'get', path: (n, u) => usersPath(n, `/${u}`), ownerStatus: 200 },
  { name: 'update user', template: '/api/v1/networks/{networkId}/users/{userId}', method: 'patch', path: (n, u) => usersPath(n, `/${u}`), body: () => ({ title: `Changed ${randomUUID()}` }), ownerStatus: 200 },
  { name: 'deactivate user', template: '/api/v1/networks/{networkId}/users/{userId}/deactivate', method: 'post', path: (n, u) => usersPath(n, `/${u}/deactivate`), ownerStatus: 200 },
  { name: 'activate user', template: '/api/v1/networks/{networkId}/users/{userId}/activate', method: 'post', path: (n, u) => usersPath(n, `/${u}/activate`), ownerStatus: 200 },
  { name: 'request invitation', template: '/api/v1/networks/{networkId}/users/{userId}/invitation', method: 'post', path: (n, u) => usersPath(n, `/${u}/invitation`), ownerStatus: 200 },
  { name: 'user history', template: '/api/v1/networks/{networkId}/users/{userId}/events', method: 'get', path: (n, u) => usersPath(n, `/${u}/events`), ownerStatus: 200 },
];
