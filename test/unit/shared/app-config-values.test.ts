/**
 * A wrong value in the environment stops start-up with a message that names the variable and says what it takes,
 * rather than starting a service that fails later on every request that reads it.
 */
import { ConfigurationError, loadConfig } from '../../../src/shared/infrastructure/config/app-config.js';

describe('DEFAULT_PHONE_REGION', () => {
  it('takes a region libphonenumber knows', () => {
    expect(loadConfig({ DEFAULT_PHONE_REGION: 'IN' }).imports.defaultPhoneRegion).toBe('IN');
    expect(loadConfig({ DEFAULT_PHONE_REGION: 'GB' }).imports.defaultPhoneRegion).toBe('GB');
  });

  it.each(['XX', 'in', 'India'])('refuses %j at start-up (it used to start, then fail every import with a 500)', (region) => {
    const load = () => loadConfig({ DEFAULT_PHONE_REGION: region });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(`Invalid configuration: DEFAULT_PHONE_REGION: "${region}" is not a region code: use two capital letters, e.g. IN, GB or US`);
  });
});

describe('numbers that must be more than 0', () => {
  it.each(['0', '-1'])('IMPORT_MAX_FILE_BYTES=%s says "more than 0", not "at least 0"', (value) => {
    expect(() => loadConfig({ IMPORT_MAX_FILE_BYTES: value })).toThrow('Invalid configuration: IMPORT_MAX_FILE_BYTES: must be more than 0');
  });

  it('a lower bound that is allowed still reads "at least"', () => {
    expect(() => loadConfig({ DB_POOL_SIZE: '0' })).toThrow('Invalid configuration: DB_POOL_SIZE: must be at least 1');
  });
});

describe('SMTP_URL', () => {
  it('takes an smtp:// or smtps:// URL', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://user:pass@mail.example.com:587' }).smtpUrl).toBe('smtp://user:pass@mail.example.com:587');
    expect(loadConfig({ SMTP_URL: 'smtps://mail.example.com' }).smtpUrl).toBe('smtps://mail.example.com');
  });

  it.each(['mail.example.com', 'notaurl', 'https://mail.example.com'])('refuses %j at start-up (nodemailer sent every mail to localhost:587 instead)', (url) => {
    expect(() => loadConfig({ SMTP_URL: url })).toThrow('Invalid configuration: SMTP_URL: must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587');
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('takes the address the service is reached at, with a path prefix or not; a trailing slash is dropped', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://chat.example.com/' }).publicBaseUrl).toBe('https://chat.example.com');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://example.com/office-chat' }).publicBaseUrl).toBe('https://example.com/office-chat');
  });

  it.each(['chat.example.com', 'https://chat.example.com/?tenant=acme', 'https://chat.example.com/#/', 'ftp://chat.example.com'])(
    'refuses %j at start-up (the links in the e-mails would be broken)',
    (url) => {
      expect(() => loadConfig({ PUBLIC_BASE_URL: url })).toThrow(
        'Invalid configuration: PUBLIC_BASE_URL: must be the http:// or https:// address the service is reached at, with no ?query or #fragment, e.g. https://chat.example.com',
      );
    },
  );
});
