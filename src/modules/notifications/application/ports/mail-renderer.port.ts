import type { MailTemplate } from '../../domain/import-mail.js';
import type { RenderedMail } from '../../domain/mail.js';

export abstract class MailRenderer {
  abstract render(template: MailTemplate): RenderedMail;
}
