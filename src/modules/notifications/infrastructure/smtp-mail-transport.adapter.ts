import type { OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { MailTransport } from '../application/ports/mail-transport.port.js';
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
    await this.transporter.sendMail(toNodemailerMessage(mail, this.from));
  }

  /** The last shutdown hook: by then the worker, stopped on module destroy, has finished its last send. */
  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
