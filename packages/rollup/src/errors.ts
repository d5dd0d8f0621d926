/**
 * A state machine was handed input that belongs to another scope, target or window than the state it
 * advances: a wiring bug in the caller, never a condition to recover from.
 */
export class InputMismatchError extends Error {
  override readonly name = 'InputMismatchError';
  readonly expected: string;
  readonly received: string;

  constructor(what: string, expected: string, received: string) {
    super(`${what}: expected ${expected}, received ${received}`);
    this.expected = expected;
    this.received = received;
  }
}
