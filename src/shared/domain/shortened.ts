/** The text cut to `max` UTF-16 units and marked with "…" when longer, never splitting a surrogate pair (an emoji). */
export function shortened(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return `${text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)}…`;
}
