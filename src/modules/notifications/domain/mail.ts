/** Every kind of e-mail this service sends; the outbox keys on it, so a kind is never renamed once released. */
export type MailKind = 'import-completed' | 'import-failed';

/** The three parts of a message as the admin will read them. */
export interface RenderedMail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** A message ready for a transport; `id` is stable across retries so receivers can spot a duplicate. */
export interface OutgoingMail extends RenderedMail {
  readonly id: string;
  readonly kind: MailKind;
  readonly to: string;
}
