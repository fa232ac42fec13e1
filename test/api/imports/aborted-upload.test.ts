/**
 * An admin's upload that stops half-way (the tab closed, the network lost): nothing is queued or kept, the service
 * goes on answering, and the logs do not report a server failure for the client's going away.
 */
import { connect } from 'node:net';
import { startTestApp, type TestApp, uniqueNetworkId } from '../../support/app.js';
import { importsPath, upload, waitForImport } from '../../support/imports.js';
import { capturedLogs } from '../../support/logs.js';

const { logger, lines } = capturedLogs();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'info', IMPORT_WORKER_ENABLED: 'true' }, { logger });
});
afterAll(() => t?.close());

/** Sends the start of a multipart upload announcing `total` bytes, stops after `sent` of them, and closes the socket. */
function uploadCutOff(network: string, token: string, sent: number, total: number): Promise<void> {
  const { port } = new URL(t.baseUrl);
  const boundary = 'cut-off-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="users.csv"\r\nContent-Type: text/csv\r\n\r\nemail/login,name\r\n`;
  const body = Buffer.from(head + Array.from({ length: Math.ceil(sent / 30) }, (_, i) => `user${i}@acme.example,User ${i}\r\n`).join('')).subarray(0, sent);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST ${importsPath(network)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${total}\r\n\r\n`,
      );
      socket.write(body, () => socket.destroy());
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('an upload cut off half-way', () => {
  it('queues nothing, keeps no part of the file, logs no server failure, and the next upload imports', async () => {
    const network = uniqueNetworkId('cut');
    const token = await t.tokenFor([network]);
    // The files kept, by import: a count would also move when this app's worker ends an import an earlier suite left
    // queued in the shared database, and deletes its file.
    const keptFiles = async () => (await t.runtime.dataSource.query<{ id: string }[]>(`SELECT DISTINCT import_id::text AS id FROM import_files`)).map((r) => r.id);
    const filesBefore = new Set(await keptFiles());
    await uploadCutOff(network, token, 600_000, 5_000_000);
    await until(async () => lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'request aborted'), 'the request to be logged');

    const listed = await t.http.get(importsPath(network)).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(listed.body.items).toEqual([]);
    expect((await keptFiles()).filter((id) => !filesBefore.has(id))).toEqual([]);

    const res = await upload(t, network, 'email/login,name\nann@acme.example,Ann\n');
    expect(res.status).toBe(202);
    expect((await waitForImport(t, network, res.body.id)).counts.created).toBe(1);
    // Read after the import above, by when anything the cut-off upload had to log is logged.
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg?: string; err?: { message?: string } });
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  });
});
