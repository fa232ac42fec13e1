import { SignJWT, UnsecuredJWT } from 'jose';
import { InvalidTokenError, JwtVerifier, mintToken } from '../../../src/shared/infrastructure/auth/jwt-verifier.js';

const SECRET = 'unit-test-secret-0123456789abcdef';
const verifier = new JwtVerifier({ secret: SECRET, usesDevelopmentSecret: false });
const key = new TextEncoder().encode(SECRET);

describe('JwtVerifier', () => {
  it('accepts a minted token and returns the admin and their networks', async () => {
    const token = await mintToken(SECRET, { sub: 'admin-1', email: 'admin@acme.example', networks: ['acme', 'globex'] });
    await expect(verifier.verify(token)).resolves.toEqual({ sub: 'admin-1', email: 'admin@acme.example', networks: ['acme', 'globex'] });
  });

  it('email is optional', async () => {
    const token = await mintToken(SECRET, { sub: 'admin-1', networks: [] });
    await expect(verifier.verify(token)).resolves.toEqual({ sub: 'admin-1', email: undefined, networks: [] });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await mintToken('another-secret-0123456789abcdef', { sub: 'a', networks: ['acme'] });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ networks: ['acme'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    await expect(verifier.verify(token)).rejects.toThrow(/refused.*exp/i);
  });

  it('refuses an unsigned (alg: none) token', async () => {
    const token = new UnsecuredJWT({ networks: ['acme'] }).setSubject('a').encode();
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a token that never expires (no exp claim)', async () => {
    const token = await new SignJWT({ networks: ['acme'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(key);
    await expect(verifier.verify(token)).rejects.toThrow('The bearer token was refused: it has no "exp" claim (when it expires); get one that does.');
  });

  it('refuses garbage', async () => {
    await expect(verifier.verify('not-a-jwt')).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it.each([
    ['no sub', { networks: ['acme'] }],
    ['no networks claim', { sub: 'a' }],
    ['networks not an array', { sub: 'a', networks: 'acme' }],
    ['networks with a non-string', { sub: 'a', networks: ['acme', 7] }],
  ])('refuses a token with %s', async (_label, claims) => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    await expect(verifier.verify(token)).rejects.toThrow(/must name the admin \(sub\) and the networks/);
  });

  it('checks issuer and audience when configured', async () => {
    const strict = new JwtVerifier({ secret: SECRET, usesDevelopmentSecret: false, issuer: 'https://idp.example', audience: 'office-chat-users' });
    const good = await mintToken(SECRET, { sub: 'a', networks: ['acme'] }, { issuer: 'https://idp.example', audience: 'office-chat-users' });
    const wrongAudience = await mintToken(SECRET, { sub: 'a', networks: ['acme'] }, { issuer: 'https://idp.example', audience: 'other' });
    const noIssuer = await mintToken(SECRET, { sub: 'a', networks: ['acme'] });
    await expect(strict.verify(good)).resolves.toMatchObject({ sub: 'a' });
    await expect(strict.verify(wrongAudience)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(strict.verify(noIssuer)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
