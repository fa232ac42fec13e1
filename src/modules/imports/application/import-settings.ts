export interface ImportSettings {
  readonly maxFileBytes: number;
  readonly maxRows: number;
  readonly batchSize: number;
  readonly defaultPhoneRegion?: string;
}

export const IMPORT_SETTINGS = Symbol('IMPORT_SETTINGS');
