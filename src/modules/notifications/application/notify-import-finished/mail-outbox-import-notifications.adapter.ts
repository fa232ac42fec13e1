import { Logger } from '@nestjs/common';
import type { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { type FinishedImportReport, ImportNotifications, type ImportRequester } from '../../../imports/application/ports/import-notifications.port.js';
import { ImportLinks, importMailFor } from '../../domain/import-mail.js';
import type { MailOutbox } from '../ports/mail-outbox.port.js';
import type { MailRenderer } from '../ports/mail-renderer.port.js';

/**
 * Tells the admin how an import ended by putting the rendered e-mail into the outbox, inside the transaction
 * that records the outcome: the mail exists if and only if the outcome committed, and the worker sends it later
 * whether or not SMTP is up right now.
 */
export class MailOutboxImportNotifications extends ImportNotifications {
  private readonly logger = new Logger(MailOutboxImportNotifications.name);
  private readonly links: ImportLinks;

  constructor(
    private readonly renderer: MailRenderer,
    private readonly outbox: MailOutbox,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    publicBaseUrl: string,
  ) {
    super();
    this.links = new ImportLinks(publicBaseUrl);
  }

  async importFinished(tx: Transaction, report: FinishedImportReport, requester: ImportRequester): Promise<void> {
    const decision = importMailFor(report, requester.email, this.links);
    if (!decision.send) {
      this.logger.log(`No e-mail for import ${report.id} of network ${report.networkId}: ${decision.reason}`);
      return;
    }
    const rendered = this.renderer.render(decision.template);
    const now = this.clock.now();
    const enqueued = await this.outbox.enqueue(tx, {
      id: this.ids.newId(),
      networkId: report.networkId,
      importId: report.id,
      kind: decision.template.name,
      recipient: decision.recipient,
      ...rendered,
      createdAt: now,
    });
    if (!enqueued) {
      this.logger.log(`The ${decision.template.name} e-mail for import ${report.id} was already in the outbox`);
    }
  }
}
