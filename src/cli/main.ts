#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=262144 node --max-old-space-size=128 --max-semi-space-size=8
// MALLOC_MMAP_THRESHOLD_ keeps glibc handing buffers of 256 KiB and more (COPY text, file pieces) back to the system
// when they are freed: by default it raises that threshold as such buffers come and go, then serves them from its
// heap, which never shrinks (peak RSS of a 1,000,000-line import: 237–272 MiB with the default, 216–238 with it).
// 64 KiB kept RSS a little lower but mapped and unmapped so often that the import took 20 % longer, and
// MALLOC_ARENA_MAX=2 was no faster and raised a re-import's RSS by 10–25 MiB.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command, Option } from 'commander';
import { AppModule } from '../app.module.js';
import { createHttpApp, openRuntime } from '../bootstrap.js';
import { runImportCli, unreadableFile } from '../modules/imports/infrastructure/cli/import.cli.js';
import { pendingEventCount } from '../modules/messaging/infrastructure/persistence/postgres-relay-outbox.js';
import { MailOutboxWorker } from '../modules/notifications/infrastructure/mail-outbox.worker.js';
import { EmailAddress } from '../modules/users/domain/email-address.js';
import { runReplayUsersCli } from '../modules/users/infrastructure/cli/replay-users.cli.js';
import { PinoNestLogger } from '../shared/infrastructure/observability/logger.js';
import { mintToken } from '../shared/infrastructure/auth/jwt-verifier.js';
import { type AppConfig, ConfigurationError, loadConfig } from '../shared/infrastructure/config/app-config.js';
import { createLogger } from '../shared/infrastructure/observability/logger.js';
import { databaseUnreachable } from './database-error.js';
import { startupProblem } from './startup-error.js';
import { EmbeddedDatabaseBusyError, lockEmbeddedDatabase } from './embedded-lock.js';

/** A mistake on the command line: nothing was done (exit code 2, as for a file that cannot be read). */
const USAGE_EXIT_CODE = 2;
/** The shell's codes for a process ended by SIGINT and SIGTERM, used when the import stopped on one. */
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

const DATABASE_HELP = `The database is DATABASE_URL's PostgreSQL, or when it is unset the embedded one under DATA_DIR (default ./var),
which one process at a time can open.`;

/** The database this command opens, taking the embedded one for this process when DATABASE_URL is unset. */
function configFor(command: string): AppConfig {
  const config = loadConfig();
  if (!config.databaseUrl) lockEmbeddedDatabase(config.dataDir, command);
  return config;
}

/**
 * The application without HTTP for a one-off command, logging at warn to stderr unless LOG_LEVEL says otherwise. It
 * runs no import worker (the command does its one import, if any), relay or mail worker: the serving instances do.
 */
async function openCommandApp(loaded: AppConfig) {
  const config = { ...loaded, imports: { ...loaded.imports, workerEnabled: false } };
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 2);
  const runtime = await openRuntime(config, logger);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime, { http: false }), { logger: new PinoNestLogger(logger) });
  return { runtime, app };
}

/** False (having said why, exit code 2) for a --network no one's network can be. */
function usableNetwork(network: string | undefined): boolean {
  if (network === undefined || (network.trim() !== '' && network === network.trim())) return true;
  // Most often an unset shell variable (--network "$NETWORK"): such a network is no one's.
  process.stderr.write(`office-chat-users: --network ${JSON.stringify(network)} is not a network id: give the id without spaces around it.\n`);
  process.exitCode = USAGE_EXIT_CODE;
  return false;
}

const program = new Command()
  .name('office-chat-users')
  .description('The users of every Office Chat network: REST API, CSV bulk import, admin tooling.')
  // Inherited by the commands below: a usage mistake exits 2, never 1, which says an import failed.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE))
  .showHelpAfterError('(add --help to see how to use it)');

program
  .command('serve')
  .description('Serve the REST API, the admin portal and the background workers on PORT (default 3000).')
  .addHelpText(
    'after',
    `
${DATABASE_HELP}

SIGTERM or Ctrl-C stops it; an import it is running stops after the batch being written, and the next instance
to start (or one already running) resumes it.`,
  )
  .action(async () => {
    const config = configFor('serve');
    const runtime = await openRuntime(config);
    if (config.auth.usesDevelopmentSecret) {
      runtime.logger.warn('AUTH_JWT_SECRET is not set: using the development secret. Never do this in production.');
    }
    const app = await createHttpApp(runtime);
    await app.listen(config.port, process.env.HOST ?? '0.0.0.0');
    runtime.logger.info({ port: config.port, database: runtime.databaseDescription }, `listening on http://localhost:${config.port}`);
    const shutdown = async () => {
      await app.close();
      await runtime.close();
      process.exit(0);
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });

program
  .command('migrate')
  .description('Apply pending database migrations and exit.')
  .addHelpText('after', `\n${DATABASE_HELP}\nRun again, it applies nothing and exits 0. Exit code 1: the database cannot be used.`)
  .action(async () => {
    const config = configFor('migrate');
    const runtime = await openRuntime(config, createLogger(config.logLevel));
    process.stdout.write(`Database is up to date (${runtime.databaseDescription}).\n`);
    await runtime.close();
  });

program
  .command('token')
  .description('Print a development bearer token for an admin of one or more networks.')
  .requiredOption('--network <id...>', 'network id the admin administers (repeat or list several)')
  .requiredOption('--admin <email>', "the admin's e-mail")
  .option('--sub <id>', 'subject (admin id); defaults to the e-mail')
  .addOption(new Option('--expires <duration>', 'lifetime, e.g. 12h, 7d').default('12h'))
  .action(async (opts: { network: string[]; admin: string; sub?: string; expires: string }) => {
    const config = loadConfig();
    const token = await mintToken(
      config.auth.secret,
      { sub: opts.sub ?? opts.admin, email: opts.admin, networks: opts.network },
      { expiresIn: opts.expires, issuer: config.auth.issuer, audience: config.auth.audience },
    );
    process.stdout.write(`${token}\n`);
  });

program
  .command('import')
  .description('Import users from a CSV file into a network, in this process (as the admin portal would).')
  .argument('<file>', 'the CSV file: a heading line, then one line per user')
  .requiredOption('--network <id>', 'the network to import into')
  .addOption(new Option('--mode <mode>', 'existing users: skip them, or update them').choices(['skip', 'update']).default('skip'))
  .option('--auto-invite', 'request an invitation for every user the import creates', false)
  .option('--dry-run', 'report what would happen, and change nothing', false)
  .option('--json', 'print exactly the report as JSON on stdout (nothing at all when there is no report)', false)
  .option('--notify <email>', 'e-mail the result to this admin')
  .showHelpAfterError('(run office-chat-users import --help to see how to use it)')
  .addHelpText(
    'after',
    `
${DATABASE_HELP} Progress goes to stderr: a bar on a terminal, a line every 2 seconds
otherwise. stdout gets the summary, or with --json the report alone.

Ctrl-C (or SIGTERM) stops after the batch being written: what was applied stays, and running the same command
again (the same file, network and options) resumes that import after its last line. Press Ctrl-C twice to stop
at once; the next run resumes just as well.

Exit codes:
  0    the import completed (rejected lines, if any, are in the summary and the report)
  1    the import failed, or could not go on (the database could not be used): see stderr
  2    nothing was imported: a mistake on the command line, or the file was refused or cannot be read
  130  stopped by Ctrl-C (SIGINT), 143 by SIGTERM: run the same command again to resume`,
  )
  .action(async (file: string, opts: { network: string; mode: 'skip' | 'update'; autoInvite: boolean; dryRun: boolean; json: boolean; notify?: string }) => {
    if (!usableNetwork(opts.network)) return;
    const notify = opts.notify === undefined ? undefined : EmailAddress.parse(opts.notify);
    if (notify && !notify.ok) {
      process.stderr.write(`office-chat-users: --notify ${JSON.stringify(opts.notify)} is not an e-mail address (${notify.reason}).\n`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    const unreadable = await unreadableFile(file);
    if (unreadable) {
      process.stderr.write(`office-chat-users: cannot read ${file}: ${unreadable}\n`);
      process.exitCode = 2;
      return;
    }
    const config = configFor('import');
    const stop = new AbortController();
    let stoppedBy: string | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      // The second one stops at once: every committed batch stays, and the next run resumes after them.
      if (stoppedBy) process.exit(SIGNAL_EXIT_CODES[signal]);
      stoppedBy = signal;
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const { runtime, app } = await openCommandApp(config);
    let exitCode = 1;
    try {
      const outcome = await runImportCli(app, file, { ...opts, notify: notify?.ok ? notify.value.value : undefined }, stop.signal);
      exitCode = outcome.exitCode === 'stopped' ? SIGNAL_EXIT_CODES[stoppedBy ?? 'SIGINT'] : outcome.exitCode;
      if (opts.notify && outcome.report) await app.get(MailOutboxWorker).drainOnce({ networkId: opts.network });
      if (outcome.report && !outcome.report.dryRun) {
        const waiting = await pendingEventCount(runtime.dataSource);
        process.stderr.write(
          config.kafkaBrokers.length === 0
            ? `${waiting} events wait in the database for Kafka (KAFKA_BROKERS is unset); a service started with KAFKA_BROKERS relays them.\n`
            : `${waiting} events wait for the running service's relay to publish them to Kafka.\n`,
        );
      }
    } finally {
      await app.close();
      await runtime.close();
    }
    process.exitCode = exitCode;
  });

program
  .command('replay-users')
  .description("Replay the users' events and check that the users table is what they give; --repair rewrites the rows that are not.")
  .option('--network <id>', 'only this network (default: every network)')
  .option('--repair', 'rewrite the rows that differ from the events, add the missing ones, delete those no events give', false)
  .option('--json', 'print the report as JSON on stdout', false)
  .addHelpText(
    'after',
    `
${DATABASE_HELP}

The events are the record, and the users table is their projection (the API lists users from it, and imports
decide from it). Both are written in one transaction, so they should never differ; this checks that they do not,
and mends a table that was restored, edited by hand or written by a faulty release. The check reads one snapshot
and blocks nothing. --repair blocks writes to users (not reads), and holds the Kafka relay, until it has finished.

Exit codes:
  0    the table is what the events give (after --repair: it is now)
  1    rows differ (listed, up to 20), or the command could not run: see stderr`,
  )
  .action(async (opts: { network?: string; repair: boolean; json: boolean }) => {
    if (!usableNetwork(opts.network)) return;
    const { runtime, app } = await openCommandApp(configFor('replay-users'));
    try {
      process.exitCode = await runReplayUsersCli(app, opts);
    } finally {
      await app.close();
      await runtime.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const unreachable = databaseUnreachable(error, process.env.DATABASE_URL);
  const setup = startupProblem(error, process.env);
  if (error instanceof ConfigurationError || error instanceof EmbeddedDatabaseBusyError) process.stderr.write(`${error.message}\n`);
  else if (setup) process.stderr.write(`${setup}\n`);
  else if (unreachable) process.stderr.write(`${unreachable}\n`);
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
