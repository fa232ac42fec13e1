import type { OutgoingMail } from '../../domain/mail.js';

/**
 * The receiving side refused this message for good (an SMTP 5xx to the recipient or the message): sending it
 * again would be refused again, so it is not retried. Any other error is taken as temporary.
 */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

/** Hands a message to whatever delivers it; resolves once it is accepted, rejects when it was not. */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail): Promise<void>;
}
