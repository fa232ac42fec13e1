// The causation-id a consumer reads is one the caller sent, or the request's own id: never a caller's UTF-8 bytes
// read back as Latin-1 (curl -H 'X-Causation-Id: ünï' went out as "Ã¼nÃ¯"), nor one with spaces in it.
// Real application over HTTP, real relay, real Kafka.
import { startTestApp, type TestApp, uniqueEmail, uniqueNetworkId } from '../../support/app.js';
import { usersPath } from '../../support/users-api.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relayEnv, runBrokers, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';

const brokers = runBrokers();

describe('causation-id on Kafka from X-Causation-Id', () => {
  const topics = uniqueTopics('causation');
  let db: FreshDatabase;
  let t: TestApp;
  let recorder: TopicRecorder | undefined;

  beforeAll(async () => {
    db = await createFreshDatabase('causation');
    t = await startTestApp({ DATABASE_URL: db.url, ...relayEnv(brokers, topics) });
  });
  afterAll(async () => {
    await recorder?.stop();
    await t?.close();
    await db?.drop();
  });

  it('passes an id through, and falls back to the request for a value that is not one', async () => {
    const network = uniqueNetworkId('cause');
    const auth = await t.authHeader([network]);
    const create = async (causation: string) => {
      const res = await t.http
        .post(usersPath(network))
        .set(auth)
        .set('X-Causation-Id', causation)
        .send({ email: uniqueEmail('u', 'acme.example'), name: 'U' })
        .expect(201);
      return { userId: res.body.id as string, requestId: res.headers['x-request-id'] as string };
    };
    const kept = await create('upstream:cmd/42#7');
    // What Node reads of the UTF-8 bytes curl sends for "ünï": header bytes are Latin-1.
    const garbled = await create(Buffer.from('ünï', 'utf8').toString('latin1'));
    const spaced = await create('two words');

    recorder = await TopicRecorder.start(brokers, [topics.users]);
    const header = async (userId: string) => {
      const m = await waitFor(() => recorder!.messages.find((x) => x.key === userId), 20_000, `the UserCreated of ${userId}`);
      return { header: m.headers['causation-id'], value: m.value.causationId, correlation: m.headers['correlation-id'] };
    };
    expect(await header(kept.userId)).toEqual({ header: 'upstream:cmd/42#7', value: 'upstream:cmd/42#7', correlation: kept.requestId });
    expect(await header(garbled.userId)).toEqual({ header: garbled.requestId, value: garbled.requestId, correlation: garbled.requestId });
    expect(await header(spaced.userId)).toEqual({ header: spaced.requestId, value: spaced.requestId, correlation: spaced.requestId });
  });
});
