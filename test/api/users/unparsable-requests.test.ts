import { connect } from 'node:net';
import { startTestApp, type TestApp } from '../../support/app.js';

/** Sends raw bytes to the app and returns everything it answers before closing the connection. */
async function raw(t: TestApp, request: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(t.baseUrl);
  const socket = connect(Number(port), hostname);
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.write(request);
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const [head, body = ''] = answer.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body };
}

describe('requests Node cannot parse are answered in Problem+JSON too', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('headers over 16 KiB: 431 saying what to shorten', async () => {
    const res = await raw(t, `GET /api/v1/networks/acme/users HTTP/1.1\r\nHost: x\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(res.body)).toMatchObject({
      status: 431,
      title: 'Headers too large',
      detail: 'The request headers are over 16 KiB: send a shorter token and fewer or smaller cookies and headers.',
    });
  });

  it('a broken request line: 400 in words', async () => {
    const res = await raw(t, 'GET /api/v1 HTTP/1.1 extra\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, detail: 'The request is not valid HTTP: check the request line and headers the client sends.' });
  });
});
