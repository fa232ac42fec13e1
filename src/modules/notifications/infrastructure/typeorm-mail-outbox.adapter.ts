import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Transaction, UnitOfWork } from '../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { type Delivered, type DrainScope, MailOutbox } from '../application/ports/mail-outbox.port.js';
import type { MailKind } from '../domain/mail.js';
import type { DeliveryResult, NewOutboxMail, OutboxMail } from '../domain/outbox-mail.js';

interface OutboxRow {
  id: string;
  network_id: string;
  import_id: string | null;
  kind: MailKind;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  attempts: number;
  created_at: Date;
}

/**
 * PostgreSQL outbox. A delivery holds the row lock (`FOR UPDATE SKIP LOCKED`) from claim to recorded result,
 * so another instance skips it instead of sending it too, and a crash mid-send releases it for a retry. The
 * sent state commits in that same transaction: a later drain never sees a delivered mail as pending again.
 */
@Injectable()
export class TypeormMailOutbox extends MailOutbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {
    super();
  }

  async enqueue(tx: Transaction, mail: NewOutboxMail): Promise<boolean> {
    const inserted = await sqlRunner(this.dataSource, tx).query<{ id: string }>(
      `INSERT INTO mail_outbox (id, network_id, import_id, kind, recipient, subject, html, text, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (import_id, kind) DO NOTHING
       RETURNING id`,
      [mail.id, mail.networkId, mail.importId, mail.kind, mail.recipient, mail.subject, mail.html, mail.text, mail.createdAt],
    );
    return inserted.length === 1;
  }

  async deliverNextDue(
    now: Date,
    scope: DrainScope,
    deliver: (mail: OutboxMail) => Promise<DeliveryResult>,
  ): Promise<Delivered | null> {
    return this.unitOfWork.transaction(async (tx) => {
      const sql = sqlRunner(this.dataSource, tx);
      const [row] = await sql.query<OutboxRow>(
        `SELECT id, network_id, import_id, kind, recipient, subject, html, text, attempts, created_at
           FROM mail_outbox
          WHERE status = 'pending' AND next_attempt_at <= $1 AND ($2::text IS NULL OR network_id = $2)
          ORDER BY next_attempt_at, created_at
          LIMIT 1
          FOR UPDATE SKIP LOCKED`,
        [now, scope.networkId ?? null],
      );
      if (row === undefined) return null;
      const mail = toMail(row);
      const result = await deliver(mail);
      await sql.query(
        `UPDATE mail_outbox
            SET status = $2, attempts = $3, next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5, sent_at = $6
          WHERE id = $1`,
        [
          mail.id,
          result.status,
          result.attempts,
          result.status === 'pending' ? result.nextAttemptAt : null,
          result.status === 'sent' ? null : result.error,
          result.status === 'sent' ? result.sentAt : null,
        ],
      );
      return { mail, result };
    });
  }
}

function toMail(row: OutboxRow): OutboxMail {
  return {
    id: row.id,
    networkId: row.network_id,
    importId: row.import_id,
    kind: row.kind,
    recipient: row.recipient,
    subject: row.subject,
    html: row.html,
    text: row.text,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
}
