import pg from 'pg';

export default async function globalTeardown() {
  const name = process.env.TEST_DATABASE_NAME;
  if (name && process.env.KEEP_TEST_DATABASE !== '1') {
    const admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.__OCU_PG_CONTAINER__?.stop();
}
