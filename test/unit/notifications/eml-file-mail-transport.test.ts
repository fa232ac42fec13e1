import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { OutgoingMail } from '../../../src/modules/notifications/domain/mail.js';
import { EmlFileMailTransport } from '../../../src/modules/notifications/infrastructure/eml-file-mail-transport.adapter.js';

const mail: OutgoingMail = {
  id: '5f0c1c43-2f5b-4d3e-9a55-2f7f6c0d8e21',
  kind: 'import-completed',
  to: 'admin@acme.example',
  subject: 'User import finished: équipe.csv',
  html: '<p>Hello <strong>admin</strong></p>',
  text: 'Hello admin\n',
};

describe('EmlFileMailTransport', () => {
  let directory: string;

  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'ocu-mail-')), 'mail');
  });

  afterEach(async () => rm(join(directory, '..'), { recursive: true, force: true }));

  it('writes one RFC 822 file per message that a mail client can read', async () => {
    const transport = new EmlFileMailTransport(directory, 'Office Chat <no-reply@office-chat.local>');
    await transport.send(mail);

    expect(await readdir(directory)).toEqual([`import-completed-${mail.id}.eml`]);
    const raw = await readFile(join(directory, `import-completed-${mail.id}.eml`));
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.from?.value).toEqual([{ name: 'Office Chat', address: 'no-reply@office-chat.local' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : []).toEqual(['admin@acme.example']);
    expect(parsed.text).toBe('Hello admin\n');
    expect(parsed.html).toBe('<p>Hello <strong>admin</strong></p>');
    expect(parsed.messageId).toBe(`<${mail.id}@office-chat.local>`);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('rewrites the same file when the same mail is sent again', async () => {
    const transport = new EmlFileMailTransport(directory, 'no-reply@office-chat.local');
    await transport.send(mail);
    await transport.send(mail);
    expect(await readdir(directory)).toEqual([`import-completed-${mail.id}.eml`]);
  });

  it('refuses an id that could point outside its folder', async () => {
    const transport = new EmlFileMailTransport(directory, 'no-reply@office-chat.local');
    await expect(transport.send({ ...mail, id: '../../etc/passwd' })).rejects.toThrow('Refusing');
  });
});
