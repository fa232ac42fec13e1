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
