import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import type { ImportReport } from '../import-report.js';

/** The report of a finished import, with how many warnings it gave: the report keeps only the first of them. */
/** `cancelRequestedBy`: who asked for the import to stop, for the one that stopped because of it. */
export type FinishedImportReport = ImportReport & { readonly warningCount: number; readonly cancelRequestedBy?: string | null };

export interface ImportRequester {
  /** The admin who started the import (the token's `email`, or the CLI's --notify address). */
  readonly email?: string;
}

/**
 * Told, inside the transaction that completes or fails an import, so whatever it records (an e-mail in an
 * outbox) commits with the import's outcome or not at all. Dry runs are reported too; the adapter decides.
 */
export abstract class ImportNotifications {
  abstract importFinished(tx: Transaction, report: FinishedImportReport, requester: ImportRequester): Promise<void>;
}
