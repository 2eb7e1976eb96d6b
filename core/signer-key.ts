// The signer key file (docs/PROTOCOL.md §3.2): a signer's Ed25519 seed, for the command line.
//
//   undersigned/signer-key/v1\n
//   <base64 of the 32-byte RFC 8032 seed>\n
//
// Whoever holds this file can sign and withdraw as its signer: it is written with mode 0600 and
// never leaves the signer's device.

import { UndersignedError } from './errors.ts';
import { fromBase64, toBase64, utf8Decode, utf8Encode } from './bytes.ts';
import { SEED_SIZE } from './ed25519.ts';

const HEADER = 'undersigned/signer-key/v1';

/** Encodes a signer key file. */
export function formatSignerKeyFile(seed: Uint8Array): Uint8Array {
  if (seed.length !== SEED_SIZE)
    throw new RangeError(`"seed" expected ${SEED_SIZE} bytes, got ${seed.length}`);
  return utf8Encode(`${HEADER}\n${toBase64(seed)}\n`);
}

/** Decodes a signer key file to its seed. Throws MALFORMED_KEY_FILE. */
export function parseSignerKeyFile(bytes: Uint8Array): Uint8Array {
  const bad = new UndersignedError(
    'MALFORMED_KEY_FILE',
    `not a signer key file (expected a ${HEADER} header and a base64 seed)`
  );
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    throw bad;
  }
  const match = /^undersigned\/signer-key\/v1\n([A-Za-z0-9+/=]{44})\n$/.exec(text);
  if (!match) throw bad;
  try {
    return fromBase64(match[1] ?? '', SEED_SIZE);
  } catch {
    throw bad;
  }
}
