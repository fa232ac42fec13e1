import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelopeFrom: string | null;
  readonly envelopeTo: readonly string[];
  readonly parsed: ParsedMail;
}

/**
 * A real SMTP server on loopback that keeps what it receives. It can be stopped and started again on the same
 * port, which is how tests take "the mail server" down and bring it back.
 */
/** An SMTP reply the sink gives to RCPT TO for an address, e.g. 550 (no such mailbox) or 451 (try again later). */
export interface SmtpRefusal {
  readonly code: number;
  readonly message: string;
}

export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Recipients the server refuses, with the reply it gives; delete an entry to accept them again. */
  readonly refusedRecipients = new Map<string, SmtpRefusal>();
  private server: SMTPServer | undefined;
  private boundPort = 0;

  get port(): number {
    return this.boundPort;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.boundPort}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refusedRecipients.get(address.address);
        if (refusal === undefined) return callback();
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.received.push({
              envelopeFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The mails whose Message-ID or subject match, as received so far. */
  matching(predicate: (mail: ReceivedMail) => boolean): ReceivedMail[] {
    return this.received.filter(predicate);
  }
}
