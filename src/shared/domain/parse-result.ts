/** Outcome of turning text into a value object: the value, or why the text is not one, for a person. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };
