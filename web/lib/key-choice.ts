// What happens to a signer's key after signing (the three choices the sign form explains):
//   keep    stored in this browser (lib/key-store.ts): withdrawal possible from here;
//   backup  an encrypted file (lib/backup.ts), nothing kept here: withdrawal possible anywhere
//           with the file and the passphrase;
//   forget  dropped after signing: no trace on the device, and no withdrawal ever.

import { formatBackup, type ScryptParams } from './backup.ts';
import { exportSeed, type SignerKey } from './keys.ts';

export type KeyChoice = 'keep' | 'backup' | 'forget';

/** The shortest passphrase accepted for a backup. */
export const MIN_PASSPHRASE = 12;

/** Why a passphrase pair cannot be used, or undefined if it can. */
export function passphraseProblem(
  passphrase: string,
  again: string
): 'short' | 'mismatch' | undefined {
  if (Array.from(passphrase).length < MIN_PASSPHRASE) return 'short';
  if (passphrase !== again) return 'mismatch';
  return undefined;
}

/** The encrypted backup file of `key`. */
export async function backupOf(
  letterIdHex: string,
  key: SignerKey,
  passphrase: string,
  options: { scrypt?: ScryptParams; onProgress?: (fraction: number) => void } = {}
): Promise<string> {
  const seed = await exportSeed(key);
  try {
    return await formatBackup(letterIdHex, seed, passphrase, options);
  } finally {
    seed.fill(0);
  }
}

/** The file name of a backup. */
export function backupFileName(letterIdHex: string): string {
  return `undersigned-key-${letterIdHex.slice(0, 12)}.txt`;
}
