// The signer's key (docs/PROTOCOL.md §3.2): a fresh Ed25519 key pair made on this device with
// WebCrypto (W3C Secure Curves), one per letter. It is a pseudonym that links the signer's sign
// and withdraw entries for this letter, and nothing else.
//
// Policy: the private key is made extractable, so that a signer who kept it on this device can
// still download an encrypted backup later (Safari deletes site data after 7 days without a
// visit: a kept key alone may be lost). A script on this page could use the key either way.

import type { EntrySigner } from '../../core/signer.ts';
import { concatBytes, fromHex } from '../../core/bytes.ts';
import { publicKeyFromSeed, SEED_SIZE } from '../../core/ed25519.ts';

const ED25519 = { name: 'Ed25519' };
// RFC 8410 §7: PKCS#8 OneAsymmetricKey for Ed25519 is this 16-byte prefix and the 32-byte seed.
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');

/** A signer key held in memory: its public key and a WebCrypto private key. */
export type SignerKey = { readonly publicKey: Uint8Array; readonly privateKey: CryptoKey };

/** Makes a new key pair on this device. */
export async function generateSignerKey(subtle: SubtleCrypto = crypto.subtle): Promise<SignerKey> {
  const pair = (await subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return { publicKey, privateKey: pair.privateKey };
}

/** The EntrySigner (core/signer.ts) of a key: signs with WebCrypto. */
export function entrySigner(key: SignerKey, subtle: SubtleCrypto = crypto.subtle): EntrySigner {
  return {
    publicKey: key.publicKey,
    sign: async (message) =>
      new Uint8Array(
        await subtle.sign(ED25519, key.privateKey, message as Uint8Array<ArrayBuffer>)
      ),
  };
}

/** The 32-byte RFC 8032 seed of a key, for an encrypted backup. */
export async function exportSeed(
  key: SignerKey,
  subtle: SubtleCrypto = crypto.subtle
): Promise<Uint8Array> {
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', key.privateKey));
  if (pkcs8.length !== PKCS8_PREFIX.length + SEED_SIZE)
    throw new Error('bug: unexpected PKCS#8 form');
  return pkcs8.slice(PKCS8_PREFIX.length);
}

/** The key of a 32-byte seed, as restored from a backup. */
export async function importSeed(
  seed: Uint8Array,
  subtle: SubtleCrypto = crypto.subtle
): Promise<SignerKey> {
  if (seed.length !== SEED_SIZE) throw new RangeError(`"seed" expected ${SEED_SIZE} bytes`);
  const privateKey = await subtle.importKey(
    'pkcs8',
    concatBytes(PKCS8_PREFIX, seed),
    ED25519,
    true,
    ['sign']
  );
  return { publicKey: publicKeyFromSeed(seed), privateKey };
}
