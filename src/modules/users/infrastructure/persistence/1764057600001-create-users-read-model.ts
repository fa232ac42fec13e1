import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The users projection: the current state of each user, written in the same transaction as its events. */
export class CreateUsersReadModel1764057600001 implements MigrationInterface {
  name = 'CreateUsersReadModel1764057600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        network_id            text        NOT NULL,
        id                    uuid        NOT NULL,
        email                 text        NOT NULL,
        email_key             text        NOT NULL,
        name                  text,
        first_name            text,
        last_name             text,
        title                 text,
        mobile                text,
        manager_id            uuid,
        status                text        NOT NULL CHECK (status IN ('active', 'deactivated')),
        invitation            text        NOT NULL CHECK (invitation IN ('none', 'requested')),
        version               integer     NOT NULL,
        created_at            timestamptz NOT NULL,
        updated_at            timestamptz NOT NULL,
        created_by_import_id  uuid,
        PRIMARY KEY (network_id, id)
      )`);
    // One user per e-mail per network, compared case-insensitively (email_key is the lower-cased address).
    await q.query(`CREATE UNIQUE INDEX users_network_email_key ON users (network_id, email_key)`);
    await q.query(
      `CREATE INDEX users_network_created_by_import ON users (network_id, created_by_import_id) WHERE created_by_import_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
  }
}
