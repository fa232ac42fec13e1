import { EmailAddress } from '../../../src/modules/users/domain/email-address.js';

describe('EmailAddress', () => {
  it.each([
    ['willsmith@gmail.com', 'willsmith@gmail.com'],
    ['  johnny_depp@yahoo.com ', 'johnny_depp@yahoo.com'],
    ['Ann.Lee+news@Example.CO.UK', 'ann.lee+news@example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x@sub-domain.example.museum', 'x@sub-domain.example.museum'],
    ['renée@exemple.fr', 'renée@exemple.fr'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
    ['user@例え.jp', 'user@例え.jp'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ])('accepts %j, keyed as %j', (text, key) => {
    const result = EmailAddress.parse(text);
    expect(result).toMatchObject({ ok: true, value: { value: text.trim(), key } });
  });

  it.each([
    ['', 'it is empty'],
    ['no-at.example.com', 'it has no @'],
    ['a@b@example.com', 'it has more than one @'],
    ['ann lee@example.com', 'it contains a space'],
    ['ann@exam\tple.com', 'it contains a space'],
    ['ann\u200b@example.com', 'it contains an invisible character (U+200B), as copying from a web page or document leaves; type the address again'],
    ['ann@exam\u00adple.com', 'it contains an invisible character (U+00AD), as copying from a web page or document leaves; type the address again'],
    ['ann@ex\ufeffample.com', 'it contains an invisible character (U+FEFF), as copying from a web page or document leaves; type the address again'],
    ['@example.com', 'nothing comes before the @'],
    ['ann@', 'nothing comes after the @'],
    ['ann@localhost', 'the part after the @ is not a domain name like example.com'],
    ['ann@example.', 'the part after the @ is not a domain name like example.com'],
    ['ann@.example.com', 'the part after the @ is not a domain name like example.com'],
    ['ann@exa..mple.com', 'the part after the @ is not a domain name like example.com'],
    ['ann@-example.com', 'the part after the @ is not a domain name like example.com'],
    ['ann@example.c', 'the part after the @ is not a domain name like example.com'],
    ['ann@example.123', 'the part after the @ is not a domain name like example.com'],
    ['ann@[10.0.0.1]', 'the part after the @ is not a domain name like example.com'],
    ['.ann@example.com', 'the part before the @ has characters or dots an address cannot have'],
    ['ann.@example.com', 'the part before the @ has characters or dots an address cannot have'],
    ['an..n@example.com', 'the part before the @ has characters or dots an address cannot have'],
    ['"ann"@example.com', 'the part before the @ has characters or dots an address cannot have'],
    ['ann(x)@example.com', 'the part before the @ has characters or dots an address cannot have'],
    [`${'a'.repeat(65)}@example.com`, 'the part before the @ is longer than 64 characters'],
    ['mailto:ann@example.com', 'it starts with "mailto:"; write the address alone: ann@example.com'],
    ['MAILTO:Ann@Example.com', 'it starts with "mailto:"; write the address alone: Ann@Example.com'],
    ['Ann Lee <ann@example.com>', 'it holds a name besides the address; write the address alone: ann@example.com'],
    ['"Lee, Ann" <ann@example.com>', 'it holds a name besides the address; write the address alone: ann@example.com'],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`, 'it is longer than 254 characters'],
  ])('rejects %j: %s', (text, reason) => {
    expect(EmailAddress.parse(text)).toEqual({ ok: false, reason });
  });

  it('reads an accent written as a letter and a combining mark (as macOS text can hold é) as the composed address', () => {
    const decomposed = EmailAddress.parse('Rene\u0301e@exemple.fr');
    const composed = EmailAddress.parse('Renée@exemple.fr');
    expect(decomposed).toMatchObject({ ok: true, value: { value: 'Ren\u00e9e@exemple.fr', key: 'ren\u00e9e@exemple.fr' } });
    if (!decomposed.ok || !composed.ok) throw new Error('both are valid');
    expect(decomposed.value.equals(composed.value)).toBe(true);
  });

  it('recognises two spellings of one mailbox', () => {
    const a = EmailAddress.parse('Ann@Example.com');
    const b = EmailAddress.parse('ann@example.COM');
    if (!a.ok || !b.ok) throw new Error('both are valid');
    expect(a.value.equals(b.value)).toBe(true);
    expect(String(a.value)).toBe('Ann@Example.com');
  });
});
