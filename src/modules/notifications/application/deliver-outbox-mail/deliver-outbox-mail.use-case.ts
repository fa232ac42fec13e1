import { Logger } from '@nestjs/common';
import type { Clock } from '../../../../shared/application/ports/clock.port.js';
import type { DeliveryResult, OutboxMail } from '../../domain/outbox-mail.js';
import { afterFailedAttempt, type RetryPolicy } from '../../domain/retry-policy.js';
import type { DrainScope, MailOutbox } from '../ports/mail-outbox.port.js';
import { shortened } from '../../../../shared/domain/shortened.js';
import { type MailTransport, PermanentDeliveryError } from '../ports/mail-transport.port.js';

export interface DrainSummary {
  readonly sent: number;
  /** Failed this time and left pending for a later attempt. */
  readonly retrying: number;
  /** Failed for the last allowed time and marked failed. */
  readonly failed: number;
}

/** Last errors are kept for an operator to read, not to archive a whole SMTP transcript. */
const MAX_ERROR_LENGTH = 1_000;

/** Sends what is due in the outbox, one mail per outbox claim, and schedules retries with back-off. */
export class DeliverOutboxMail {
  private readonly logger = new Logger(DeliverOutboxMail.name);

  constructor(
    private readonly outbox: MailOutbox,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly retryPolicy: RetryPolicy,
  ) {}

  /** Delivers due mail until none is left or `limit` were attempted; a mail that fails waits for its back-off. */
  async drain(scope: DrainScope, limit: number): Promise<DrainSummary> {
    const summary = { sent: 0, retrying: 0, failed: 0 };
    for (let attempted = 0; attempted < limit; attempted += 1) {
      const delivered = await this.outbox.deliverNextDue(this.clock.now(), scope, (mail) => this.attempt(mail));
      if (delivered === null) break;
      if (delivered.result.status === 'sent') summary.sent += 1;
      else if (delivered.result.status === 'pending') summary.retrying += 1;
      else summary.failed += 1;
    }
    return summary;
  }

  private async attempt(mail: OutboxMail): Promise<DeliveryResult> {
    const attempts = mail.attempts + 1;
    try {
      await this.transport.send({
        id: mail.id,
        kind: mail.kind,
        to: mail.recipient,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
      });
      return { status: 'sent', attempts, sentAt: this.clock.now() };
    } catch (error) {
      const message = describe(error);
      if (error instanceof PermanentDeliveryError) {
        this.logger.error(`The mail server refused ${mail.kind} e-mail ${mail.id} to ${mail.recipient} permanently; not retrying: ${message}`);
        return { status: 'failed', attempts, error: message };
      }
      const next = afterFailedAttempt(this.retryPolicy, attempts, this.clock.now());
      if (next.status === 'failed') {
        this.logger.error(`Gave up on ${mail.kind} e-mail ${mail.id} after ${attempts} attempts: ${message}`);
        return { status: 'failed', attempts, error: message };
      }
      this.logger.warn(
        `Could not send ${mail.kind} e-mail ${mail.id} (attempt ${attempts}), retrying at ${next.nextAttemptAt.toISOString()}: ${message}`,
      );
      return { status: 'pending', attempts, nextAttemptAt: next.nextAttemptAt, error: message };
    }
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? shortened(text, MAX_ERROR_LENGTH - 1) : text;
}
