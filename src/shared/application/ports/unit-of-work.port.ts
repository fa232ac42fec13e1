/** An open database transaction, opaque to the application: adapters that take it join the same commit. */
export interface Transaction {
  readonly isTransaction: true;
}

export abstract class UnitOfWork {
  /** Runs `work` in one transaction: everything it writes commits together or not at all. */
  abstract transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}
