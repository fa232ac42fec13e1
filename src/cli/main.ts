#!/usr/bin/env node
import 'reflect-metadata';
import { Command, Option } from 'commander';
import { createHttpApp, openRuntime } from '../bootstrap.js';
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

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigurationError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
