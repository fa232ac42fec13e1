import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConcurrencyConflictError } from '../../../../shared/application/application-errors.js';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { ManagementChainLock } from '../../application/ports/management-chain-lock.port.js';

/** How long a change of manager waits for an import making its links before it gives up. */
const WAIT = '10s';
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * An advisory lock per network: taken for a transaction by a change of manager, and for a session by an import
 * making its links, which conflict with each other. PostgreSQL lets it go at the end of the transaction or with
 * the session, so a holder that dies never keeps it.
 */
@Injectable()
export class PostgresManagementChainLock extends ManagementChainLock {
  static key(networkId: string): string {
    return `management-chain:${networkId}`;
  }

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async hold(tx: Transaction, networkId: string): Promise<void> {
    const sql = sqlRunner(this.dataSource, tx);
    await sql.query(`SELECT set_config('lock_timeout', $1, true)`, [WAIT]);
    try {
      await sql.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [PostgresManagementChainLock.key(networkId)]);
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
      throw new ConcurrencyConflictError(networkId, 'An import is setting the managers of this network right now: try again in a moment.');
    }
    await sql.query(`SELECT set_config('lock_timeout', '0', true)`);
  }

  async holdDuring<T>(networkId: string, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = PostgresManagementChainLock.key(networkId);
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [key]);
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }
}
