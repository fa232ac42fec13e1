import type { OutgoingMail } from '../../domain/mail.js';

/** Hands a message to whatever delivers it; resolves once it is accepted, rejects when it was not. */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail): Promise<void>;
}
