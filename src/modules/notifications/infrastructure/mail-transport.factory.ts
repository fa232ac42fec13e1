import { join } from 'node:path';
import type { AppConfig } from '../../../shared/infrastructure/config/app-config.js';
import type { MailTransport } from '../application/ports/mail-transport.port.js';
import { EmlFileMailTransport } from './eml-file-mail-transport.adapter.js';
import { SmtpMailTransport } from './smtp-mail-transport.adapter.js';

/** SMTP when `SMTP_URL` is set; otherwise .eml files under `DATA_DIR/mail`, so nothing needs a mail server. */
export function createMailTransport(config: AppConfig): MailTransport {
  if (config.smtpUrl !== undefined) return new SmtpMailTransport(config.smtpUrl, config.mailFrom);
  return new EmlFileMailTransport(join(config.dataDir, 'mail'), config.mailFrom);
}
