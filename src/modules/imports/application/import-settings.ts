export interface ImportSettings {
  readonly maxFileBytes: number;
  readonly maxRows: number;
  readonly batchSize: number;
  /** E-mail keys held in memory to find a file's repeated e-mails; the rest go to SpilledEmails. */
  readonly emailsInMemory: number;
  /** Batches written at once, each in its own transaction (1 where the database runs one session, as PGlite). */
  readonly batchesInFlight: number;
  readonly defaultPhoneRegion?: string;
}

export const IMPORT_SETTINGS = Symbol('IMPORT_SETTINGS');
