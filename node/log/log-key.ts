// The log key of a mirror (docs/PROTOCOL.md §6.2): an Ed25519 key made on first start, stored
// as a signed-note skey (c2sp.org/signed-note, Go's note.GenerateKey format) in keys/log.key,
// mode 0600. Its key name is the log's origin, which names the letter and the key itself:
//
//   origin = "undersigned/" hex(letter ID) "/" hex(SHA-256(public key)[:8])
//   skey   = "PRIVATE+KEY+" origin "+" key ID "+" base64(0x01 || seed)
//
// So one data directory serves one letter: a key whose origin names another letter is refused.

import { link, mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { UndersignedError, isUndersignedError } from '../../core/errors.ts';
import { utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { publicKeyFromSeed, SEED_SIZE } from '../../core/ed25519.ts';
import { newVerifier } from '../../core/note.ts';
import {
  ed25519Signer,
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  parseSignerKey,
  verifierKeyOf,
  KEY_TYPE_ED25519,
  type Signer,
  type SignerKey,
  type Verifier,
} from '../../core/note-key.ts';
import { logOrigin } from '../../core/origin.ts';
import { readWholeFile } from '../files.ts';
import { isMissing, syncDirectory } from './disk.ts';

/** A log key, ready to sign and verify checkpoints. */
export type LogKey = {
  readonly origin: string;
  /** The verifier key, `<origin>+<key ID>+<base64(0x01 || public key)>`. */
  readonly vkey: string;
  readonly publicKey: Uint8Array;
  readonly signer: Signer;
  readonly verifier: Verifier;
};

/**
 * Loads the log key from `keyFile`, or makes one with node:crypto randomness and writes it
 * (mode 0600, never replacing a file). Throws BAD_CONFIG for a key of another letter or a key
 * file that others can read, MALFORMED_KEY for a damaged one.
 */
export async function loadOrCreateLogKey(keyFile: string, letterId: Uint8Array): Promise<LogKey> {
  try {
    return await loadLogKey(keyFile, letterId);
  } catch (e) {
    if (!isUndersignedError(e, 'NOT_FOUND')) throw e;
  }
  const seed = new Uint8Array(randomBytes(SEED_SIZE));
  const key = generateSignerKey(logOrigin(letterId, publicKeyFromSeed(seed)), seed);
  if (!(await createExclusively(keyFile, utf8Encode(`${formatSignerKey(key)}\n`)))) {
    return loadLogKey(keyFile, letterId); // another process made one first: use theirs
  }
  return logKey(formatSignerKey(key));
}

/**
 * Writes a new file that must not exist, crash-safely: a private temporary file, fsync, then a
 * hard link to the final name (which fails if it exists), so the key file is never torn.
 * Returns false if the file exists.
 */
async function createExclusively(path: string, data: Uint8Array): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(temporary);
  }
  await syncDirectory(dirname(path));
  return true;
}

async function loadLogKey(keyFile: string, letterId: Uint8Array): Promise<LogKey> {
  let mode: number;
  try {
    mode = (await stat(keyFile)).mode;
  } catch (cause) {
    if (isMissing(cause))
      throw new UndersignedError('NOT_FOUND', `no log key at ${keyFile}`, { cause });
    throw cause;
  }
  // Policy: like ssh, refuse a private key that the group or others can read.
  if ((mode & 0o077) !== 0) {
    throw new UndersignedError('BAD_CONFIG', `${keyFile} is readable by others: chmod 600 it`);
  }
  let text: string;
  try {
    text = utf8Decode(await readWholeFile(keyFile));
  } catch (cause) {
    throw new UndersignedError('MALFORMED_KEY', `${keyFile} is not a signed-note skey`, { cause });
  }
  const key = logKey(text.endsWith('\n') ? text.slice(0, -1) : text);
  if (key.origin !== logOrigin(letterId, key.publicKey)) {
    throw new UndersignedError(
      'BAD_CONFIG',
      `${keyFile} is the key of the log ${key.origin}, not of a log of this letter: use another data directory`
    );
  }
  return key;
}

function logKey(skey: string): LogKey {
  const key = parseSignerKey(skey);
  if (key.type !== KEY_TYPE_ED25519)
    throw new UndersignedError('MALFORMED_KEY', 'the log key must be an Ed25519 key');
  const verifierKey = verifierKeyOf(key);
  return {
    origin: key.name,
    vkey: formatVerifierKey(verifierKey),
    publicKey: verifierKey.publicKey,
    signer: nativeSigner(key),
    verifier: newVerifier(verifierKey),
  };
}

// PKCS #8 for an Ed25519 seed (RFC 8410 §7): this DER prefix, then the 32 bytes.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The signer of the log key through node:crypto (OpenSSL), some twenty times faster than the
 * pure path it replaces, for a checkpoint a batch. Ed25519 signing is deterministic (RFC 8032
 * §5.1.6): the signature is the same byte for byte (tests/node/log-key.test.ts).
 */
function nativeSigner(key: SignerKey): Signer {
  const reference = ed25519Signer(key); // checks the key type
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, key.seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return {
    name: reference.name,
    keyId: reference.keyId,
    sign: (text) => new Uint8Array(sign(null, text, privateKey)),
  };
}
