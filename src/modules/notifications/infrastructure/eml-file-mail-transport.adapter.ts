import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { MailTransport } from '../application/ports/mail-transport.port.js';
import type { OutgoingMail } from '../domain/mail.js';
import { toNodemailerMessage } from './nodemailer-message.mapper.js';
import { makeDirectory } from '../../../shared/infrastructure/make-directory.js';

/** Outbox ids are uuids; anything else must not get near a file path. */
const SAFE_ID = /^[A-Za-z0-9-]+$/;

/**
 * The embedded default when no SMTP server is configured: each message becomes an .eml file that any mail
 * client opens, so a newcomer sees exactly what would have been sent. A retry rewrites the same file.
 */
export class EmlFileMailTransport extends MailTransport {
  private readonly logger = new Logger(EmlFileMailTransport.name);
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  readonly directory: string;

  constructor(
    directory: string,
    private readonly from: string,
  ) {
    super();
    this.directory = resolve(directory);
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (!SAFE_ID.test(mail.id)) throw new Error(`Refusing to write a mail file for id ${JSON.stringify(mail.id)}`);
    const info = await this.composer.sendMail(toNodemailerMessage(mail, this.from));
    if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer returned a stream although buffer was requested');
    makeDirectory(this.directory);
    const path = join(this.directory, `${mail.kind}-${mail.id}.eml`);
    // Written aside then renamed, so whoever watches the folder never opens half a message.
    const partial = `${path}.partial`;
    await writeFile(partial, info.message);
    await rename(partial, path);
    this.logger.log(`SMTP_URL is not set: the ${mail.kind} e-mail to ${mail.to} was written to ${path}`);
  }
}
