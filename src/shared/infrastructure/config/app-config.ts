import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { z } from 'zod';
// Its error map words the messages below ("must be at least 1"), whichever module loads the configuration first.
import '../http/zod-input.js';

const DEV_SECRET = 'office-chat-users-development-secret-change-me';

/** Kafka's legal topic names: up to 249 of [a-zA-Z0-9._-]. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

const booleanish = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./var'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  AUTH_JWT_SECRET: z.string().min(16).optional(),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_JWT_ISSUER: z.string().optional(),
  AUTH_JWT_AUDIENCE: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Links in the admin's e-mails are this plus a path and a #fragment: a query or a fragment of its own breaks them.
  PUBLIC_BASE_URL: z
    .string()
    .refine((url) => /^https?:\/\/[^/?#]+[^?#]*$/i.test(url) && URL.canParse(url), {
      error: 'must be the http:// or https:// address the service is reached at, with no ?query or #fragment, e.g. https://chat.example.com',
    })
    .default('http://localhost:3000'),
  IMPORT_MAX_FILE_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().positive().default(1_000_000),
  IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(5_000),
  IMPORT_EMAILS_IN_MEMORY: z.coerce.number().int().min(1).default(1_000_000),
  IMPORT_WORKER_ENABLED: booleanish.default(true),
  // Checked here, not on the first mobile: a region libphonenumber does not know made every import fail (500).
  DEFAULT_PHONE_REGION: z
    .string()
    .refine((region) => isSupportedCountry(region as CountryCode, metadata), { error: (issue) => `${JSON.stringify(issue.input)} is not a region code: use two capital letters, e.g. IN, GB or US` })
    .optional(),
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('office-chat-users'),
  KAFKA_USERS_TOPIC: z.string().regex(TOPIC_NAME, 'must be a Kafka topic name').default('office-chat.users.v1'),
  KAFKA_USERS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(12),
  KAFKA_IMPORTS_TOPIC: z.string().regex(TOPIC_NAME, 'must be a Kafka topic name').default('office-chat.imports.v1'),
  KAFKA_IMPORTS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32).optional(),
  KAFKA_RELAY_ENABLED: booleanish.default(true),
  KAFKA_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  KAFKA_RELAY_MAX_REQUEST_BYTES: z.coerce.number().int().min(10_000).max(100 * 1024 * 1024).default(900_000),
  KAFKA_RELAY_INTERVAL_MS: z.coerce.number().int().min(1).max(60_000).default(200),
  KAFKA_RELAY_RETRY_MAX_MS: z.coerce.number().int().min(10).max(600_000).default(30_000),
  KAFKA_RELAY_LEADER_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  // nodemailer reads anything else as localhost:587 and the mails fail there, attempt after attempt.
  SMTP_URL: z
    .string()
    .refine((url) => /^smtps?:\/\/[^/?#]+/i.test(url) && URL.canParse(url), { error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587' })
    .optional(),
  MAIL_FROM: z.string().default('Office Chat <no-reply@office-chat.local>'),
  NODE_ENV: z.string().default('development'),
});

export type AppConfig = Readonly<{
  port: number;
  databaseUrl?: string;
  dataDir: string;
  dbPoolSize: number;
  auth: { secret: string; jwksUrl?: string; issuer?: string; audience?: string; usesDevelopmentSecret: boolean };
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  publicBaseUrl: string;
  imports: { maxFileBytes: number; maxRows: number; batchSize: number; emailsInMemory: number; workerEnabled: boolean; defaultPhoneRegion?: string };
  kafkaBrokers: string[];
  /** The event relay to Kafka (src/modules/messaging); off when kafkaBrokers is empty. */
  kafka: KafkaConfig;
  smtpUrl?: string;
  mailFrom: string;
}>;

export type KafkaConfig = Readonly<{
  clientId: string;
  topics: {
    users: { name: string; partitions: number };
    imports: { name: string; partitions: number };
  };
  /** Unset: the broker's default.replication.factor. */
  replicationFactor?: number;
  relay: {
    enabled: boolean;
    /** Most events read and sent in one round (one checkpoint per round). */
    batchSize: number;
    /** Most bytes of messages in one produce request (keep it under the broker's message.max.bytes). */
    maxRequestBytes: number;
    /** Pause between two rounds when there was nothing to relay. */
    intervalMs: number;
    /** Longest pause between two attempts while Kafka (or the database) fails. */
    retryMaxMs: number;
    /** How often an instance that does not relay checks whether the relaying instance is gone. */
    leaderPollMs: number;
  };
}>;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Reads and validates the environment once; a bad value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  if (!e.AUTH_JWT_SECRET && !e.AUTH_JWKS_URL && e.NODE_ENV === 'production') {
    throw new ConfigurationError('Invalid configuration: AUTH_JWT_SECRET or AUTH_JWKS_URL is required in production');
  }
  // The development secret is in this code for anyone to read, and RFC 7518 (3.2) wants an HS256 key of 256 bits at
  // least: either would let tokens for any network be forged or guessed.
  if (e.AUTH_JWT_SECRET && !e.AUTH_JWKS_URL && e.NODE_ENV === 'production') {
    if (e.AUTH_JWT_SECRET === DEV_SECRET) {
      throw new ConfigurationError('Invalid configuration: AUTH_JWT_SECRET is the development secret, which anyone can read in the source; set a random one, e.g. `openssl rand -base64 48`');
    }
    if (Buffer.byteLength(e.AUTH_JWT_SECRET, 'utf8') < 32) {
      throw new ConfigurationError('Invalid configuration: AUTH_JWT_SECRET must be at least 32 bytes in production (an HS256 key of 256 bits); set a random one, e.g. `openssl rand -base64 48`');
    }
  }
  // The default is this machine: every link in the admins' e-mails (the import report, the users to invite) would
  // lead to their own computer.
  if (e.NODE_ENV === 'production' && !env.PUBLIC_BASE_URL) {
    throw new ConfigurationError(
      "Invalid configuration: PUBLIC_BASE_URL is required in production: the links in the admins' e-mails start with it; set the address admins reach the service at, e.g. https://users.chat.example.com",
    );
  }
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    dbPoolSize: e.DB_POOL_SIZE,
    auth: {
      secret: e.AUTH_JWT_SECRET ?? DEV_SECRET,
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_JWT_ISSUER,
      audience: e.AUTH_JWT_AUDIENCE,
      usesDevelopmentSecret: !e.AUTH_JWT_SECRET,
    },
    logLevel: e.LOG_LEVEL,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    imports: {
      maxFileBytes: e.IMPORT_MAX_FILE_BYTES,
      maxRows: e.IMPORT_MAX_ROWS,
      batchSize: e.IMPORT_BATCH_SIZE,
      emailsInMemory: e.IMPORT_EMAILS_IN_MEMORY,
      workerEnabled: e.IMPORT_WORKER_ENABLED,
      defaultPhoneRegion: e.DEFAULT_PHONE_REGION,
    },
    kafkaBrokers: (e.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean),
    kafka: {
      clientId: e.KAFKA_CLIENT_ID,
      topics: {
        users: { name: e.KAFKA_USERS_TOPIC, partitions: e.KAFKA_USERS_TOPIC_PARTITIONS },
        imports: { name: e.KAFKA_IMPORTS_TOPIC, partitions: e.KAFKA_IMPORTS_TOPIC_PARTITIONS },
      },
      replicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR,
      relay: {
        enabled: e.KAFKA_RELAY_ENABLED,
        batchSize: e.KAFKA_RELAY_BATCH_SIZE,
        maxRequestBytes: e.KAFKA_RELAY_MAX_REQUEST_BYTES,
        intervalMs: e.KAFKA_RELAY_INTERVAL_MS,
        retryMaxMs: e.KAFKA_RELAY_RETRY_MAX_MS,
        leaderPollMs: e.KAFKA_RELAY_LEADER_POLL_MS,
      },
    },
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
