import { z } from 'zod';
import { ValidationError } from '../../../src/shared/application/application-errors.js';
import { parseInput } from '../../../src/shared/infrastructure/http/zod-input.js';

const schema = z.strictObject({ email: z.string(), profile: z.strictObject({ title: z.string().optional() }).optional() });

function failure(input: unknown, where?: string): ValidationError {
  try {
    parseInput(schema, input, where);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('parseInput accepted the input');
}

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(schema, { email: 'a@b.example' })).toEqual({ email: 'a@b.example' });
  });

  it('names the field of a wrong type', () => {
    expect(failure({ email: 42 })).toMatchObject({ field: 'email', message: expect.stringMatching(/^email: /) });
  });

  it.each([
    [{ email: 42 }, 'email: must be a string'],
    [{ email: null }, 'email: must be a string, not null'],
    [{}, 'email: is required'],
    [[1], 'The request body is invalid: must be an object'],
  ])('says in words what %j should be: %s', (input, message) => {
    expect(failure(input, 'body').message).toBe(message);
  });

  it('says how long a text may be, and that it may not be empty, where the schema says nothing', () => {
    const text = z.strictObject({ search: z.string().min(1).max(200) });
    expect(() => parseInput(text, { search: 'x'.repeat(201) })).toThrow('search: must be at most 200 characters');
    expect(() => parseInput(text, { search: '' })).toThrow('search: must not be empty');
  });

  it('names an unknown property, also a nested one', () => {
    expect(failure({ email: 'a@b.example', isAdmin: true }).field).toBe('isAdmin');
    expect(failure({ email: 'a@b.example', profile: { colour: 'red' } }).field).toBe('profile.colour');
  });

  it('treats a missing body as an empty object', () => {
    expect(failure(undefined).field).toBe('email');
  });

  it('says where when there is no field', () => {
    const error = failure([1], 'body');
    expect(error.field).toBeUndefined();
    expect(error.message).toMatch(/^The request body is invalid/);
  });

  it('refuses the NUL character anywhere, naming the field', () => {
    expect(failure({ email: 'a\u0000@b.example' }).field).toBe('email');
    expect(failure({ email: 'a@b.example', profile: { title: 'x\u0000' } }).field).toBe('profile.title');
  });
});
