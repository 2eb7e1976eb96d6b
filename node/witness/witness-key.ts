// The witness key of a mirror (docs/PROTOCOL.md §6.2, c2sp.org/tlog-cosignature): a separate
// Ed25519 key of type 0x04 that signs cosignatures and nothing else, made on first start and
// stored as a signed-note skey in <data>/keys/witness.key, mode 0600:
//
//   name   = "undersigned/witness/" hex(SHA-256(public key)[:8])
//   skey   = "PRIVATE+KEY+" name "+" key ID "+" base64(0x04 || seed)

import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { UndersignedError } from '../../core/errors.ts';
import { utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { publicKeyFromSeed, SEED_SIZE } from '../../core/ed25519.ts';
import { signCosignature } from '../../core/cosignature.ts';
import {
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  parseSignerKey,
  verifierKeyOf,
  KEY_TYPE_COSIGNATURE,
  type SignerKey,
} from '../../core/note-key.ts';
import type { NoteSignature } from '../../core/note.ts';
import { witnessName } from '../../core/origin.ts';
import { readWholeFile } from '../files.ts';
import { isMissing, syncDirectory } from '../log/disk.ts';

/** A witness key, ready to cosign checkpoints. */
export type WitnessKey = {
  /** The cosigner key name, undersigned/witness/<fingerprint>. */
  readonly name: string;
  /** The verifier key, `<name>+<key ID>+<base64(0x04 || public key)>`. */
  readonly vkey: string;
  /** The cosignature/v1 line on the checkpoint note `text` at `timestamp` (POSIX seconds). */
  cosign(text: string, timestamp: number): NoteSignature;
};

/**
 * Loads the witness key from `keyFile`, or makes one with node:crypto randomness (mode 0600,
 * never replacing a file). Throws BAD_CONFIG for a key file others can read, MALFORMED_KEY
 * for a damaged one.
 */
export async function loadOrCreateWitnessKey(keyFile: string): Promise<WitnessKey> {
  let mode: number | undefined;
  try {
    mode = (await stat(keyFile)).mode;
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  if (mode === undefined) {
    const seed = new Uint8Array(randomBytes(SEED_SIZE));
    const key = generateSignerKey(witnessName(publicKeyFromSeed(seed)), seed, KEY_TYPE_COSIGNATURE);
    await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
    const handle = await open(keyFile, 'wx', 0o600); // fails if another process made one first
    try {
      await handle.writeFile(utf8Encode(`${formatSignerKey(key)}\n`));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(dirname(keyFile));
    return witnessKey(key);
  }
  // Policy: like ssh (and the log key), refuse a private key that others can read.
  if ((mode & 0o077) !== 0) {
    throw new UndersignedError('BAD_CONFIG', `${keyFile} is readable by others: chmod 600 it`);
  }
  let key: SignerKey;
  try {
    const text = utf8Decode(await readWholeFile(keyFile));
    key = parseSignerKey(text.endsWith('\n') ? text.slice(0, -1) : text);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_KEY', `${keyFile} is not a signed-note skey`, { cause });
  }
  if (key.type !== KEY_TYPE_COSIGNATURE || key.name !== witnessName(publicKeyFromSeed(key.seed))) {
    throw new UndersignedError('MALFORMED_KEY', `${keyFile} is not a witness key (type 0x04)`);
  }
  return witnessKey(key);
}

function witnessKey(key: SignerKey): WitnessKey {
  const seed = key.seed.slice();
  return {
    name: key.name,
    vkey: formatVerifierKey(verifierKeyOf(key)),
    cosign: (text, timestamp) => signCosignature(text, seed, key.name, timestamp),
  };
}
