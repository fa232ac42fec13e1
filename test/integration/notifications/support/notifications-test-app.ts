import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Clock, IdGenerator } from '../../../../src/shared/application/ports/clock.port.js';
import { UnitOfWork } from '../../../../src/shared/application/ports/unit-of-work.port.js';
import { APP_CONFIG, type AppConfig, loadConfig } from '../../../../src/shared/infrastructure/config/app-config.js';
import { createDataSource, runMigrations } from '../../../../src/shared/infrastructure/database/data-source.factory.js';
import { TypeormUnitOfWork } from '../../../../src/shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { NotificationsModule, type NotificationsModuleOptions } from '../../../../src/modules/notifications/notifications.module.js';
import { RandomIds, TestClock } from './test-clock.js';

export const PUBLIC_BASE_URL = 'https://chat.example.com';

/** One DataSource per test file on the per-run database; migrations take an advisory lock, so files may race. */
export async function openTestDataSource(): Promise<DataSource> {
  const url = process.env.TEST_DATABASE_URL;
  if (url === undefined) throw new Error('TEST_DATABASE_URL is not set: run through jest, whose global setup creates the database');
  const dataSource = createDataSource(url, 4);
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

export interface NotificationsTestApp {
  readonly module: TestingModule;
  readonly config: AppConfig;
}

/**
 * NotificationsModule as the app will wire it: a global module provides DataSource, APP_CONFIG, UnitOfWork,
 * Clock and IdGenerator. The background worker is off unless a test turns it on, so that no test sends another
 * test's mail; tests drain their own network instead.
 */
export async function startNotificationsTestApp(options: {
  dataSource: DataSource;
  clock: TestClock;
  smtpUrl?: string;
  dataDir?: string;
  notifications?: NotificationsModuleOptions;
}): Promise<NotificationsTestApp> {
  if (options.smtpUrl === undefined && options.dataDir === undefined) {
    throw new Error('Without an SMTP server mail goes to DATA_DIR/mail: give the test a dataDir of its own');
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_BASE_URL,
    DATA_DIR: options.dataDir,
    SMTP_URL: options.smtpUrl,
    MAIL_FROM: 'Office Chat <no-reply@chat.example.com>',
  });

  @Global()
  @Module({
    providers: [
      { provide: DataSource, useValue: options.dataSource },
      { provide: APP_CONFIG, useValue: config },
      { provide: UnitOfWork, useFactory: (ds: DataSource) => new TypeormUnitOfWork(ds), inject: [DataSource] },
      { provide: Clock, useValue: options.clock },
      { provide: IdGenerator, useClass: RandomIds },
    ],
    exports: [DataSource, APP_CONFIG, UnitOfWork, Clock, IdGenerator],
  })
  class TestInfrastructureModule {}

  const module = await Test.createTestingModule({
    imports: [
      TestInfrastructureModule,
      NotificationsModule.forRoot({ ...options.notifications, worker: { enabled: false, ...options.notifications?.worker } }),
    ],
  }).compile();
  await module.init();
  return { module, config };
}
