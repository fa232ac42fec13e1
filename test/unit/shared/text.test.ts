import { shortened } from '../../../src/shared/domain/shortened.js';
import { storableJson, storableText } from '../../../src/shared/infrastructure/database/storable-text.js';

describe('shortened', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['a longer text', 5, 'a lon…'],
    ['abcd😀efg', 5, 'abcd…'],
    ['abc😀efg', 5, 'abc😀…'],
  ])('%j cut to %i → %j, never half an emoji', (text, max, cut) => {
    expect(shortened(text, max)).toBe(cut);
    expect(shortened(text, max)).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('storableText', () => {
  it.each([
    ['plain', 'plain'],
    ['a\u0000b', 'a\uFFFDb'],
    ['lone high \uD83D end', 'lone high \uFFFD end'],
    ['lone low \uDE00 end', 'lone low \uFFFD end'],
    ['a pair 😀 stays', 'a pair 😀 stays'],
    ['\u0000\u0000', '\uFFFD\uFFFD'],
  ])('%j → %j', (text, stored) => {
    expect(storableText(text)).toBe(stored);
  });

  it('makes every string of a JSON document storable, keys and numbers aside', () => {
    expect(JSON.stringify({ a: ['x\u0000', { b: '\uD800' }], n: 1 }, storableJson)).toBe('{"a":["x\uFFFD",{"b":"\uFFFD"}],"n":1}');
  });
});
