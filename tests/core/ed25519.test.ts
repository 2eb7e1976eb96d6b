import { describe, expect, it } from 'vitest';
import { fromHex, utf8Encode } from '../../core/bytes.ts';
import { publicKeyFromSeed, signEd25519, verifyEd25519 } from '../../core/ed25519.ts';

describe('verifyEd25519', () => {
  it('verifies RFC 8032 §7.1 TEST 1 (empty message)', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const publicKey = publicKeyFromSeed(seed);
    expect(publicKey).toEqual(fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
    const signature = signEd25519(seed, new Uint8Array());
    expect(signature).toEqual(
      fromHex(
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
      )
    );
    expect(verifyEd25519(publicKey, new Uint8Array(), signature)).toBe(true);
    expect(verifyEd25519(publicKey, utf8Encode('x'), signature)).toBe(false);
  });
});
