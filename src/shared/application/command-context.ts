/** Who asks, on which network, and how this request relates to others: carried into every event's metadata. */
export interface Actor {
  readonly id: string;
  readonly email?: string;
}

export interface CommandContext {
  readonly networkId: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly importId?: string;
}
