import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DeliverOutboxMail } from '../../../src/modules/notifications/application/deliver-outbox-mail/deliver-outbox-mail.use-case.js';
import { type Delivered, MailOutbox } from '../../../src/modules/notifications/application/ports/mail-outbox.port.js';
import { MailTransport } from '../../../src/modules/notifications/application/ports/mail-transport.port.js';
import type { DeliveryResult, OutboxMail } from '../../../src/modules/notifications/domain/outbox-mail.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/modules/notifications/domain/retry-policy.js';
import { MailOutboxWorker } from '../../../src/modules/notifications/infrastructure/mail-outbox.worker.js';
import { Clock } from '../../../src/shared/application/ports/clock.port.js';

const mail: OutboxMail = {
  id: 'b1e7d1f4-8a51-4f57-a7a0-2b1f4c7e9d10',
  networkId: 'acme',
  importId: null,
  kind: 'import-completed',
  recipient: 'admin@acme.example',
  subject: 's',
  html: 'h',
  text: 't',
  attempts: 0,
  createdAt: new Date(0),
};

/** An outbox whose claims the test answers one by one: with a mail, with nothing, or with an error. */
class ScriptedOutbox extends MailOutbox {
  claims = 0;
  private readonly answers: Array<(deliver: (mail: OutboxMail) => Promise<DeliveryResult>) => Promise<Delivered | null>> = [];

  willHave(count: number): void {
    for (let i = 0; i < count; i += 1) this.answers.push(async (deliver) => ({ mail, result: await deliver(mail) }));
  }

  willHang(): () => void {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.answers.push(async () => {
      await gate;
      return null;
    });
    return release;
  }

  willFail(): void {
    this.answers.push(async () => {
      throw new Error('database is down');
    });
  }

  async enqueue(): Promise<boolean> {
    return true;
  }

  async deliverNextDue(_now: Date, _scope: object, deliver: (mail: OutboxMail) => Promise<DeliveryResult>): Promise<Delivered | null> {
    this.claims += 1;
    const answer = this.answers.shift();
    return answer === undefined ? null : answer(deliver);
  }
}

class AcceptingTransport extends MailTransport {
  async send(): Promise<void> {}
}

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-11-25T08:00:00.000Z');
  }
}

/** Runs every promise callback already queued (setImmediate stays real and comes after them all). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('MailOutboxWorker', () => {
  let outbox: ScriptedOutbox;
  let worker: MailOutboxWorker;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    outbox = new ScriptedOutbox();
    const delivery = new DeliverOutboxMail(outbox, new AcceptingTransport(), new FixedClock(), DEFAULT_RETRY_POLICY);
    worker = new MailOutboxWorker(delivery, { enabled: true, intervalMs: 1_000, batchSize: 3 });
  });

  afterEach(async () => {
    await worker.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('does not start when disabled', () => {
    const idle = new MailOutboxWorker(new DeliverOutboxMail(outbox, new AcceptingTransport(), new FixedClock(), DEFAULT_RETRY_POLICY), {
      enabled: false,
      intervalMs: 1_000,
      batchSize: 3,
    });
    idle.onApplicationBootstrap();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drains at start-up, then once per interval', async () => {
    worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    await settle();
    expect(outbox.claims).toBe(1);

    await jest.advanceTimersByTimeAsync(999);
    expect(outbox.claims).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(outbox.claims).toBe(2);
  });

  it('drains again at once while a full batch suggests a backlog', async () => {
    outbox.willHave(3);
    worker.start();
    await jest.advanceTimersByTimeAsync(0);
    await settle();
    expect(outbox.claims).toBe(3);
    console.log('timers', jest.getTimerCount(), jest.now());
    await jest.advanceTimersByTimeAsync(0);
    await settle();
    console.log('claims after 0', outbox.claims);
    await jest.advanceTimersByTimeAsync(1000);
    await settle();
    console.log('claims after 1000', outbox.claims);
    await settle();
    expect(outbox.claims).toBe(4);
  });

  it('keeps going after a drain fails', async () => {
    outbox.willFail();
    worker.start();
    await jest.advanceTimersByTimeAsync(0);
    await settle();
    expect(Logger.prototype.error).toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(outbox.claims).toBe(2);
  });

  it('on shutdown waits for the drain in progress and schedules no other', async () => {
    const release = outbox.willHang();
    worker.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(outbox.claims).toBe(1);

    let stopped = false;
    const stopping = worker.onModuleDestroy().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);

    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
