import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DistributedLock, type HeldLock } from '../../application/ports/network-lock.port.js';

/** PostgreSQL session advisory locks, each on a connection of its own held for the lock's life. */
@Injectable()
export class PostgresAdvisoryLock extends DistributedLock {
  /** SQL that is true while some session holds the lock of the key `keySql` gives (as tryAcquire takes it). */
  static heldCondition(keySql: string): string {
    return `EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
                      AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${keySql}, 0))`;
  }

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async tryAcquire(key: string): Promise<HeldLock | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
      if (!row.locked) {
        await runner.release();
        return null;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    return {
      release: async () => {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
        await runner.release();
      },
    };
  }
}
