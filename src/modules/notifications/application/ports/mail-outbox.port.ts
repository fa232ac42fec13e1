import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import type { DeliveryResult, NewOutboxMail, OutboxMail } from '../../domain/outbox-mail.js';

/** Limits a drain to part of the outbox, e.g. one network's mail. */
export interface DrainScope {
  readonly networkId?: string;
}

export interface Delivered {
  readonly mail: OutboxMail;
  readonly result: DeliveryResult;
}

export abstract class MailOutbox {
  /**
   * Records a mail to send, in the caller's transaction so it commits with whatever it reports. Resolves to
   * false when the same import's mail of this kind is already there: enqueuing twice sends once.
   */
  abstract enqueue(tx: Transaction, mail: NewOutboxMail): Promise<boolean>;

  /**
   * Takes the next pending mail due at `now` so that no other worker can take it meanwhile, lets `deliver`
   * attempt it, and records the result before letting go. Resolves to null when nothing is due.
   */
  abstract deliverNextDue(
    now: Date,
    scope: DrainScope,
    deliver: (mail: OutboxMail) => Promise<DeliveryResult>,
  ): Promise<Delivered | null>;
}
