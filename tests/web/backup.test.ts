import { describe, expect, it } from 'vitest';
import { sha256 } from '../../core/hash.ts';
import { utf8Encode } from '../../core/bytes.ts';
import { publicKeyFromSeed } from '../../core/ed25519.ts';
import { formatBackup, openBackup } from '../../web/lib/backup.ts';
import { exportSeed, generateSignerKey, importSeed } from '../../web/lib/keys.ts';

// Small scrypt parameters keep the tests fast; the file carries them, so opening uses them too.
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const LETTER = 'ab'.repeat(32);
const seed = sha256(utf8Encode('backup test seed'));

describe('the encrypted key backup', () => {
  it('opens with the right passphrase to the same key, and names its parameters', async () => {
    const file = await formatBackup(LETTER, seed, 'correct horse battery', { scrypt: FAST });
    expect(file).toMatch(/^undersigned\/key-backup\/v1\nletter a[b]/);
    expect(file).toContain('\nkdf scrypt 1024 8 1\n');
    const opened = await openBackup(file, 'correct horse battery');
    expect(opened.seed).toEqual(seed);
    expect(opened.publicKey).toEqual(publicKeyFromSeed(seed));
    expect(opened.letterId).toBe(LETTER);
  });

  it('refuses a wrong passphrase', async () => {
    const file = await formatBackup(LETTER, seed, 'correct horse battery', { scrypt: FAST });
    await expect(openBackup(file, 'correct horse battery!')).toRejectWithCode('MALFORMED_KEY_FILE');
  });

  it('refuses a file whose header was changed (it is authenticated)', async () => {
    const file = await formatBackup(LETTER, seed, 'pass phrase long', { scrypt: FAST });
    const otherLetter = file.replace(`letter ${LETTER}`, `letter ${'cd'.repeat(32)}`);
    await expect(openBackup(otherLetter, 'pass phrase long')).toRejectWithCode(
      'MALFORMED_KEY_FILE'
    );
  });

  it('refuses unreasonable scrypt parameters before deriving anything', async () => {
    const file = await formatBackup(LETTER, seed, 'pass phrase long', { scrypt: FAST });
    await expect(
      openBackup(file.replace('kdf scrypt 1024 8 1', 'kdf scrypt 16777216 8 1'), 'x')
    ).rejects.toThrow(/unreasonable/);
    await expect(openBackup('not a backup', 'x')).toRejectWithCode('MALFORMED_KEY_FILE');
  });

  it('round-trips a WebCrypto key through its seed', async () => {
    const key = await generateSignerKey();
    const restored = await importSeed(await exportSeed(key));
    expect(restored.publicKey).toEqual(key.publicKey);
  });
});
