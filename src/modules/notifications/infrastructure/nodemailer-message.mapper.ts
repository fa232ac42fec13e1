import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMail } from '../domain/mail.js';

/**
 * The same RFC 822 message whether it goes out over SMTP or into an .eml file. The Message-ID derives from the
 * outbox id, so if a crash makes the worker send a mail again, the receiving side can tell it is the same one.
 */
export function toNodemailerMessage(mail: OutgoingMail, from: string): SendMailOptions {
  return {
    from,
    // An address object, never a string nodemailer would parse into possibly several recipients.
    to: { name: '', address: mail.to },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${mail.id}@${messageIdDomain(from)}>`,
    // RFC 3834: stops out-of-office replies to an address nobody reads.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function messageIdDomain(from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1];
  return domain ?? 'office-chat-users.invalid';
}
