/**
 * In production the service never verifies tokens with a secret an attacker can know or guess: not the
 * development secret (in this code for anyone to read), nor one shorter than HS256's 256 bits. Nor does it send
 * e-mails whose links lead to localhost.
 */
import { ConfigurationError, loadConfig } from '../../../src/shared/infrastructure/config/app-config.js';

const DEVELOPMENT_SECRET = 'office-chat-users-development-secret-change-me';
const production = (env: Record<string, string>) => () => loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://users.chat.example.com', ...env });

describe('the token secret in production', () => {
  it('refuses to start without a secret or a JWKS', () => {
    expect(production({})).toThrow('AUTH_JWT_SECRET or AUTH_JWKS_URL is required in production');
  });

  it('refuses the development secret given explicitly, so no one can mint tokens for any network with it', () => {
    expect(production({ AUTH_JWT_SECRET: DEVELOPMENT_SECRET })).toThrow(ConfigurationError);
    expect(production({ AUTH_JWT_SECRET: DEVELOPMENT_SECRET })).toThrow(/AUTH_JWT_SECRET is the development secret.*openssl rand/);
  });

  it('refuses a secret shorter than 32 bytes, which a guess could find', () => {
    expect(production({ AUTH_JWT_SECRET: 'sixteen-chars-ok' })).toThrow(/AUTH_JWT_SECRET must be at least 32 bytes in production/);
    expect(production({ AUTH_JWT_SECRET: 'x'.repeat(31) })).toThrow(ConfigurationError);
  });

  it('starts with a long random secret, or with a JWKS', () => {
    expect(production({ AUTH_JWT_SECRET: 'q7Vb0cX1n9LkR2s8TzWm4pYd6HfJa3Ge5Ui0Oo' })().auth).toMatchObject({ usesDevelopmentSecret: false });
    expect(production({ AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json' })().auth.jwksUrl).toBe('https://idp.example/.well-known/jwks.json');
  });

  it('development keeps its default secret and short test secrets', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).auth).toMatchObject({ secret: DEVELOPMENT_SECRET, usesDevelopmentSecret: true });
    expect(loadConfig({ NODE_ENV: 'test', AUTH_JWT_SECRET: 'sixteen-chars-ok' }).auth.secret).toBe('sixteen-chars-ok');
  });
});

describe('the address of the links in e-mails, in production', () => {
  const secret = { AUTH_JWT_SECRET: 'q7Vb0cX1n9LkR2s8TzWm4pYd6HfJa3Ge5Ui0Oo' };

  it('refuses to start without PUBLIC_BASE_URL, whose default is localhost', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...secret })).toThrow(/PUBLIC_BASE_URL is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: '', ...secret })).toThrow(ConfigurationError);
  });

  it('starts with it set, and development keeps the localhost default', () => {
    expect(production(secret)().publicBaseUrl).toBe('https://users.chat.example.com');
    expect(loadConfig({ NODE_ENV: 'development' }).publicBaseUrl).toBe('http://localhost:3000');
  });
});
