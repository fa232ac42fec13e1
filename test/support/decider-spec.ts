/**
 * Given-events / when-command / then-events specifications for a decider:
 *
 *   const spec = deciderSpec(userDecider);
 *   spec.given([created]).when(deactivate).then([{ type: 'UserDeactivated', data: { userId } }]);
 *   spec.given([created, deactivated]).when(deactivate).thenNothing();
 *   spec.given([]).when(deactivate).thenThrows('not-found');
 *
 * `then` returns the state after the given and the produced events, for assertions on evolve.
 */
import { DomainError, type DomainErrorCode } from '../../src/shared/domain/domain-error.js';
import { type Decider, type DomainCommand, type DomainEvent, fold } from '../../src/shared/domain/event.js';

export interface WhenStep<State, Event> {
  /** The command produced exactly these events, in this order. Returns the state they lead to. */
  then(expected: readonly Event[]): State;
  /** The command changed nothing: no event. Returns the (unchanged) state. */
  thenNothing(): State;
  /** The decider refused the command with a DomainError of this code (and this field, when given). */
  thenThrows(code: DomainErrorCode, expected?: { field?: string; message?: string | RegExp }): DomainError;
}

export interface GivenStep<State, Command, Event> {
  when(command: Command): WhenStep<State, Event>;
  /** The state the given events fold into. */
  state(): State;
}

export function deciderSpec<State, Command extends DomainCommand, Event extends DomainEvent>(decider: Decider<State, Command, Event>) {
  return {
    given(events: readonly Event[]): GivenStep<State, Command, Event> {
      const stateBefore = () => fold(decider.evolve, decider.initialState(), events);
      return {
        state: stateBefore,
        when(command: Command): WhenStep<State, Event> {
          const decideNow = () => decider.decide(command, stateBefore());
          return {
            then(expected) {
              const produced = decideNow();
              expect(produced).toEqual(expected);
              return fold(decider.evolve, stateBefore(), produced);
            },
            thenNothing() {
              const produced = decideNow();
              expect(produced).toEqual([]);
              return stateBefore();
            },
            thenThrows(code, expected = {}) {
              let thrown: unknown;
              try {
                const produced = decideNow();
                throw new Error(`expected DomainError "${code}", but the command produced ${JSON.stringify(produced)}`);
              } catch (error) {
                thrown = error;
              }
              if (!(thrown instanceof DomainError)) throw thrown;
              expect(thrown.code).toBe(code);
              if ('field' in expected) expect(thrown.field).toBe(expected.field);
              if (expected.message !== undefined) expect(thrown.message).toMatch(expected.message);
              return thrown;
            },
          };
        },
      };
    },
  };
}
