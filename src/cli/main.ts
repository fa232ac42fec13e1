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
import { PinoNestLogger } from '../shared/infrastructure/observability/logger.js';
import { mintToken } from '../shared/infrastructure/auth/jwt-verifier.js';
import { ConfigurationError, loadConfig } from '../shared/infrastructure/config/app-config.js';
import { createLogger } from '../shared/infrastructure/observability/logger.js';

const program = new Command()
  .name('office-chat-users')
  .description('The users of every Office Chat network: REST API, CSV bulk import, admin tooling.');

program
  .command('serve')
  .description('Serve the REST API, the admin portal and the background workers on PORT (default 3000).')
  .action(async () => {
    const config = loadConfig();
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
  .action(async () => {
    const config = loadConfig();
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
  .option('--json', 'print exactly the report as JSON on stdout', false)
  .option('--notify <email>', 'e-mail the result to this admin')
  .action(async (file: string, opts: { network: string; mode: 'skip' | 'update'; autoInvite: boolean; dryRun: boolean; json: boolean; notify?: string }) => {
    const unreadable = await unreadableFile(file);
    if (unreadable) {
      process.stderr.write(`office-chat-users: cannot read ${file}: ${unreadable}\n`);
      process.exitCode = 2;
      return;
    }
    const loaded = loadConfig();
    // This process does one import; the service's workers pick up everything else.
    const config = { ...loaded, imports: { ...loaded.imports, workerEnabled: false } };
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 2);
    const runtime = await openRuntime(config, logger);
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime, { http: false }), { logger: new PinoNestLogger(logger) });
    let exitCode = 1;
    try {
      const outcome = await runImportCli(app, file, opts);
      exitCode = outcome.exitCode;
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

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigurationError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
