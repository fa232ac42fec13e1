import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { type Transaction, UnitOfWork } from '../../application/ports/unit-of-work.port.js';

class TypeormTransaction implements Transaction {
  readonly isTransaction = true as const;
  constructor(readonly runner: QueryRunner) {}
}

/** Something that runs SQL: a transaction's query runner, or the pool when no transaction is given. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The query runner of a transaction, or a new one from the pool (the caller releases it) when none is given. */
export function queryRunnerOf(dataSource: DataSource, tx?: Transaction): QueryRunner {
  if (tx === undefined) return dataSource.createQueryRunner();
  if (!(tx instanceof TypeormTransaction)) throw new Error('Transaction was not opened by TypeormUnitOfWork');
  return tx.runner;
}

export function sqlRunner(dataSource: DataSource, tx?: Transaction): SqlRunner {
  if (tx === undefined) return { query: (sql, params) => dataSource.query(sql, params) };
  const runner = queryRunnerOf(dataSource, tx);
  return { query: (sql, params) => runner.query(sql, params) };
}

/** Runs `work` in one transaction on a connection the caller holds (one with session state, such as temp tables). */
export async function transactionOn<T>(runner: QueryRunner, work: (tx: Transaction) => Promise<T>): Promise<T> {
  await runner.startTransaction();
  try {
    const result = await work(new TypeormTransaction(runner));
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  }
}

@Injectable()
export class TypeormUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      return await transactionOn(runner, work);
    } finally {
      await runner.release();
    }
  }
}
