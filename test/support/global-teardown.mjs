import pg from 'pg';
import { deleteTopicsWithPrefix } from './kafka.mjs';

export default async function globalTeardown() {
  const name = process.env.TEST_DATABASE_NAME;
  if (name && process.env.KEEP_TEST_DATABASE !== '1') {
    const admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.__OCU_PG_CONTAINER__?.stop();
  const brokers = process.env.KAFKA_BROKERS;
  const prefix = process.env.KAFKA_TOPIC_PREFIX;
  // This run's topics (the relay tests create theirs under the run's prefix); a broker a test stopped is no loss.
  if (brokers && prefix && process.env.KEEP_TEST_TOPICS !== '1') await deleteTopicsWithPrefix(brokers, prefix).catch(() => undefined);
  await globalThis.__OCU_KAFKA_STOP__?.();
}
