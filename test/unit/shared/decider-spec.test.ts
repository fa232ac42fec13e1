import { deciderSpec } from '../../support/decider-spec.js';
import { userDecider } from '../../../src/modules/users/domain/user.decider.js';

// The helper itself must be able to fail, or the decider tests prove nothing.
describe('deciderSpec helper', () => {
  const spec = deciderSpec(userDecider);
  const now = new Date();
  const create = { type: 'CreateUser', data: { userId: 'u1', networkId: 'n', email: 'a@b.example', name: 'A' }, metadata: { now } } as const;

  it('then fails when the events differ', () => {
    expect(() => spec.given([]).when(create).then([])).toThrow();
  });

  it('thenNothing fails when an event was produced', () => {
    expect(() => spec.given([]).when(create).thenNothing()).toThrow();
  });

  it('thenThrows fails when the command succeeds, or fails with another code or field', () => {
    expect(() => spec.given([]).when(create).thenThrows('already-exists')).toThrow(/expected DomainError "already-exists"/);
    const existing = spec.given([]).when(create);
    const events = userDecider.decide(create, userDecider.initialState());
    expect(() => spec.given(events).when(create).thenThrows('invalid-value')).toThrow();
    expect(() => existing.thenThrows('not-found')).toThrow();
    expect(() => spec.given([]).when({ ...create, data: { ...create.data, name: ' ' } }).thenThrows('invalid-value', { field: 'email' })).toThrow();
  });
});
