import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { ManagementChainLock } from '../../application/ports/management-chain-lock.port.js';

/** A transaction-level advisory lock per network: PostgreSQL lets it go at commit or rollback, or when the session dies. */
@Injectable()
export class PostgresManagementChainLock extends ManagementChainLock {
  static key(networkId: string): string {
    return `management-chain:${networkId}`;
  }

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async hold(tx: Transaction, networkId: string): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [PostgresManagementChainLock.key(networkId)]);
  }
}
