// The gossipsub topic on which a letter's mirrors meet (docs/PROTOCOL.md §8.1), shared by the
// mirrors (node/gossip/) and the web client's live updates (web/lib/live.ts).

/** The topic of the letter whose ID is `letterIdHex` (64 lowercase hex digits), §8.1. */
export function letterTopic(letterIdHex: string): string {
  if (!/^[0-9a-f]{64}$/.test(letterIdHex)) {
    throw new RangeError('"letterIdHex" expected 64 lowercase hex digits');
  }
  return `undersigned/1/${letterIdHex}`;
}
