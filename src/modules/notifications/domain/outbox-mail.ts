import type { MailKind } from './mail.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A message waiting in the outbox, as rendered when it was enqueued. */
export interface OutboxMail {
  readonly id: string;
  readonly networkId: string;
  readonly importId: string | null;
  readonly kind: MailKind;
  readonly recipient: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Delivery attempts made before this one. */
  readonly attempts: number;
  readonly createdAt: Date;
}

export type NewOutboxMail = Omit<OutboxMail, 'attempts'>;

/** What one delivery attempt leaves behind; `attempts` counts this attempt too. */
export type DeliveryResult =
  | { readonly status: 'sent'; readonly attempts: number; readonly sentAt: Date }
  | { readonly status: 'pending'; readonly attempts: number; readonly nextAttemptAt: Date; readonly error: string }
  | { readonly status: 'failed'; readonly attempts: number; readonly error: string };
