import type { OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { MailTransport, PermanentDeliveryError } from '../application/ports/mail-transport.port.js';
import type { OutgoingMail } from '../domain/mail.js';
import { toNodemailerMessage } from './nodemailer-message.mapper.js';

/**
 * Sends through the SMTP server of `SMTP_URL` (e.g. `smtp://user:pass@mail.example.com:587`,
 * `smtps://…:465`). Timeouts stay short because the worker holds the outbox row's lock while it sends;
 * a slow server makes the attempt fail and retry rather than stall the worker.
 */
export class SmtpMailTransport extends MailTransport implements OnApplicationShutdown {
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transporter = createTransport({
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transporter.sendMail(toNodemailerMessage(mail, this.from));
    } catch (error) {
      if (refusedForGood(error)) throw new PermanentDeliveryError(error.message, { cause: error });
      throw error;
    }
  }

  /** The last shutdown hook: by then the worker, stopped on module destroy, has finished its last send. */
  onApplicationShutdown(): void {
    this.transporter.close();
  }
}

/** The commands whose reply is about this recipient or this message; nodemailer puts the reply code on the error. */
const MESSAGE_COMMANDS = new Set(['RCPT TO', 'DATA']);

/**
 * A 5xx reply to RCPT TO or DATA (no such mailbox, message refused) comes back the same on every attempt. A 5xx to
 * AUTH or MAIL FROM is our configuration, which an operator can fix while the mail waits, so it is retried.
 */
function refusedForGood(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const { responseCode, command } = error as Error & { responseCode?: unknown; command?: unknown };
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && MESSAGE_COMMANDS.has(String(command));
}
