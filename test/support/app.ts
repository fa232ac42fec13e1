/**
 * The real HTTP application on the per-run test database (see global-setup.mjs), for API, contract and
 * e2e tests. Every suite gets its own app and its own network ids (uniqueNetworkId), so suites never
 * collide in the shared database even when jest runs them in parallel workers.
 *
 *   const t = await startTestApp();
 *   const token = await t.tokenFor([network]);
 *   await t.http.get(`/api/v1/networks/${network}/users`).set('Authorization', `Bearer ${token}`).expect(200);
 *   await t.close();
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import supertest from 'supertest';
import { createHttpApp, openRuntime, type OpenRuntime } from '../../src/bootstrap.js';
import { mintToken } from '../../src/shared/infrastructure/auth/jwt-verifier.js';
import { type AppConfig, loadConfig } from '../../src/shared/infrastructure/config/app-config.js';

/** The HS256 secret every test app verifies with; mint your own tokens with it (e.g. expired ones). */
export const TEST_JWT_SECRET = 'office-chat-users-test-secret-0123456789';

export type TestEnv = Record<string, string | undefined>;

export interface TestApp {
  readonly app: NestExpressApplication;
  /** supertest bound to the listening server: `t.http.get('/health/live')`. */
  readonly http: ReturnType<typeof supertest>;
  /** http://127.0.0.1:<port>, for fetch or a second client. */
  readonly baseUrl: string;
  readonly runtime: OpenRuntime;
  readonly config: AppConfig;
  /** A valid admin token for these networks; `sub` is derived from the e-mail. */
  tokenFor(networks: string[], email?: string): Promise<string>;
  /** `{ Authorization: 'Bearer …' }` for these networks. */
  authHeader(networks: string[], email?: string): Promise<{ Authorization: string }>;
  close(): Promise<void>;
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (globalSetup creates the database).');
  return url;
}

/** The configuration a test app runs with; overrides win. */
export function testConfig(overrides: TestEnv = {}): AppConfig {
  return loadConfig({
    ...process.env,
    DATABASE_URL: testDatabaseUrl(),
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_JWKS_URL: undefined,
    AUTH_JWT_ISSUER: undefined,
    AUTH_JWT_AUDIENCE: undefined,
    LOG_LEVEL: 'silent',
    IMPORT_WORKER_ENABLED: 'false',
    KAFKA_BROKERS: undefined,
    SMTP_URL: undefined,
    DB_POOL_SIZE: '5',
    NODE_ENV: 'test',
    ...overrides,
  });
}

/** A network id no other test (or earlier run against the same database) uses. */
export function uniqueNetworkId(prefix = 'net'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A unique e-mail address, handy when many tests share a network. */
export function uniqueEmail(local = 'user', domain = 'example.com'): string {
  return `${local}.${randomBytes(4).toString('hex')}@${domain}`;
}

export async function testToken(networks: string[], email = 'admin@test.example', options: { expiresIn?: string } = {}): Promise<string> {
  return mintToken(TEST_JWT_SECRET, { sub: `admin:${email}`, email, networks }, options);
}

export interface StartTestAppOptions {
  /** A pino logger to capture logs (e.g. pino({ level: 'info' }, stream)). Defaults to a silent one. */
  logger?: Logger;
}

export async function startTestApp(overrides: TestEnv = {}, options: StartTestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const runtime = await openRuntime(config, options.logger);
  let app: NestExpressApplication | undefined;
  try {
    app = await createHttpApp(runtime);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime.close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const opened = app;
  let closed = false;
  return {
    app: opened,
    http: supertest(baseUrl),
    baseUrl,
    runtime,
    config,
    tokenFor: (networks, email) => testToken(networks, email),
    authHeader: async (networks, email) => ({ Authorization: `Bearer ${await testToken(networks, email)}` }),
    async close() {
      if (closed) return;
      closed = true;
      await opened.close();
      await runtime.close();
    },
  };
}
