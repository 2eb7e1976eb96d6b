// The encrypted key backup: a text file that holds a signer's seed, encrypted with a key derived
// from a passphrase by scrypt (RFC 7914, memory-hard), with AES-256-GCM (NIST SP 800-38D). Every
// parameter is in the file, so a file made today opens with stronger defaults tomorrow:
//
//   undersigned/key-backup/v1\n
//   letter <letter ID, hex>\n
//   public-key <base64 of the 32-byte public key>\n
//   kdf scrypt <N> <r> <p>\n
//   salt <base64 of 16 random bytes>\n
//   cipher aes-256-gcm <base64 of the 12-byte nonce>\n
//   \n
//   <base64 of the encrypted 32-byte seed and its 16-byte tag>\n
//
// The header, blank line included, is the additional authenticated data: changing a parameter
// or the letter makes decryption fail. Policy: scrypt N = 2^17, r = 8, p = 1 (128 MiB, about a
// second in a browser; OWASP's minimum); files asking for more than 2^20 or 1 GiB are refused.

import { UndersignedError } from '../../core/errors.ts';
import {
  concatBytes,
  equalBytes,
  fromBase64,
  toBase64,
  utf8Decode,
  utf8Encode,
} from '../../core/bytes.ts';
import { publicKeyFromSeed, SEED_SIZE } from '../../core/ed25519.ts';
import { scryptAsync } from '@noble/hashes/scrypt.js';

export const BACKUP_HEADER = 'undersigned/key-backup/v1';
/** Scrypt parameters used for new backups (Policy above). */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
const MAX_N = 2 ** 20;
const MAX_MEMORY = 2 ** 30;
const MAX_BACKUP_BYTES = 4096;

export type ScryptParams = { readonly N: number; readonly r: number; readonly p: number };

/** What a backup holds once opened. */
export type OpenedBackup = {
  readonly letterId: string;
  readonly publicKey: Uint8Array;
  readonly seed: Uint8Array;
};

type BackupOptions = {
  readonly scrypt?: ScryptParams;
  readonly random?: (n: number) => Uint8Array;
  readonly onProgress?: (fraction: number) => void;
  readonly subtle?: SubtleCrypto;
};

/** Encrypts `seed` under `passphrase` into a backup file. */
export async function formatBackup(
  letterId: string,
  seed: Uint8Array,
  passphrase: string,
  options: BackupOptions = {}
): Promise<string> {
  if (seed.length !== SEED_SIZE) throw new RangeError(`"seed" expected ${SEED_SIZE} bytes`);
  if (passphrase === '') throw new RangeError('a backup needs a passphrase');
  const random = options.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const { N, r, p } = options.scrypt ?? DEFAULT_SCRYPT;
  const salt = random(16);
  const nonce = random(12);
  const header =
    `${BACKUP_HEADER}\nletter ${letterId}\npublic-key ${toBase64(publicKeyFromSeed(seed))}\n` +
    `kdf scrypt ${N} ${r} ${p}\nsalt ${toBase64(salt)}\ncipher aes-256-gcm ${toBase64(nonce)}\n\n`;
  const key = await deriveKey(passphrase, salt, { N, r, p }, options);
  const subtle = options.subtle ?? crypto.subtle;
  const sealed = await subtle.encrypt(
    {
      name: 'AES-GCM',
      iv: nonce as Uint8Array<ArrayBuffer>,
      additionalData: utf8Encode(header) as Uint8Array<ArrayBuffer>,
    },
    key,
    seed as Uint8Array<ArrayBuffer>
  );
  return `${header}${toBase64(new Uint8Array(sealed))}\n`;
}

/** Opens a backup file. Throws MALFORMED_KEY_FILE for a malformed file or a wrong passphrase. */
export async function openBackup(
  file: string | Uint8Array,
  passphrase: string,
  options: BackupOptions = {}
): Promise<OpenedBackup> {
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_KEY_FILE', why);
  if (file.length > MAX_BACKUP_BYTES) throw bad('the backup file is too large');
  let text: string;
  try {
    text = typeof file === 'string' ? file : utf8Decode(file);
  } catch {
    throw bad('the backup file is not text');
  }
  const match =
    /^undersigned\/key-backup\/v1\nletter ([0-9a-f]{64})\npublic-key ([A-Za-z0-9+/=]{44})\nkdf scrypt ([1-9][0-9]{0,7}) ([1-9][0-9]?) ([1-9])\nsalt ([A-Za-z0-9+/=]{24})\ncipher aes-256-gcm ([A-Za-z0-9+/=]{16})\n\n([A-Za-z0-9+/=]{64})\n$/.exec(
      text
    );
  if (!match) throw bad('not an undersigned key backup');
  const [
    ,
    letterId = '',
    publicKeyText = '',
    nText = '',
    rText = '',
    pText = '',
    saltText = '',
    nonceText = '',
    sealedText = '',
  ] = match;
  const params = { N: Number(nText), r: Number(rText), p: Number(pText) };
  if (
    params.N > MAX_N ||
    !Number.isInteger(Math.log2(params.N)) ||
    128 * params.N * params.r * params.p > MAX_MEMORY
  ) {
    throw bad('the backup asks for unreasonable scrypt parameters');
  }
  let publicKey: Uint8Array, salt: Uint8Array, nonce: Uint8Array, sealed: Uint8Array;
  try {
    publicKey = fromBase64(publicKeyText, 32);
    salt = fromBase64(saltText, 16);
    nonce = fromBase64(nonceText, 12);
    sealed = fromBase64(sealedText, SEED_SIZE + 16);
  } catch {
    throw bad('the backup file is damaged');
  }
  const header = text.slice(0, text.length - sealedText.length - 1);
  const key = await deriveKey(passphrase, salt, params, options);
  let seed: Uint8Array;
  try {
    const subtle = options.subtle ?? crypto.subtle;
    seed = new Uint8Array(
      await subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: nonce as Uint8Array<ArrayBuffer>,
          additionalData: utf8Encode(header) as Uint8Array<ArrayBuffer>,
        },
        key,
        sealed as Uint8Array<ArrayBuffer>
      )
    );
  } catch {
    throw bad('wrong passphrase, or the backup file was changed');
  }
  if (!equalBytes(publicKeyFromSeed(seed), publicKey))
    throw bad('the backup does not hold the key it names');
  return { letterId, publicKey, seed };
}

async function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
  options: BackupOptions
): Promise<CryptoKey> {
  const bytes = await scryptAsync(utf8Encode(passphrase.normalize('NFC')), salt, {
    ...params,
    dkLen: 32,
    maxmem: MAX_MEMORY + 1024 * 1024,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const subtle = options.subtle ?? crypto.subtle;
  return subtle.importKey('raw', concatBytes(bytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
}
