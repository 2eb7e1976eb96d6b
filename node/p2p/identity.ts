// The node's libp2p identity (libp2p specs, peer-ids/peer-ids.md): an Ed25519 private key in
// the protobuf PrivateKey encoding, kept in <data>/peer-key with mode 0600, and the keychain
// that keeps the WebRTC-Direct certificate (libp2p specs, webrtc/webrtc-direct.md) so that its
// /certhash, part of the node's multiaddr, survives restarts.
//
// This key is not the log key and not any signer's key (reference/p2p.md §4): it only names
// the node to its immediate peers.

import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { keychain } from '@libp2p/keychain';
import type { PrivateKey } from '@libp2p/interface';
import { equalBytes } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';

/** The file, under the data directory, that holds the node's libp2p private key. */
export const PEER_KEY_FILE = 'peer-key';

// protobuf PrivateKey { Type = Ed25519 (1), Data = 64 bytes }: 68 bytes; cap well above that.
const MAX_PEER_KEY_BYTES = 256;

/**
 * Creates the data directory (mode 0700) if it is missing and checks that it is a directory.
 * Policy: an existing directory keeps its mode; the key file inside is checked on its own.
 */
export async function openDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stats = await lstat(dataDir);
  if (!stats.isDirectory())
    throw new UndersignedError('BAD_CONFIG', 'the data directory is not a directory');
}

/**
 * Loads the node's Ed25519 libp2p key from `<dataDir>/peer-key`, creating it on first start.
 * Policy: like ssh, a key file that group or others may read is refused.
 */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, PEER_KEY_FILE);
  try {
    return await loadPeerKey(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = await generateKeyPair('Ed25519');
  if (await writeNewFile(file, privateKeyToProtobuf(key))) return key;
  return loadPeerKey(file); // another process created it first: use theirs
}

async function loadPeerKey(file: string): Promise<PrivateKey> {
  const stats = await lstat(file);
  if (!stats.isFile()) throw new UndersignedError('BAD_CONFIG', 'peer-key is not a regular file');
  if (stats.mode % 0o100 !== 0) {
    throw new UndersignedError(
      'BAD_CONFIG',
      'peer-key may be read by group or others (chmod 600 it)'
    );
  }
  if (stats.size > MAX_PEER_KEY_BYTES) {
    throw new UndersignedError(
      'MALFORMED_KEY_FILE',
      `peer-key is ${stats.size} bytes, at most ${MAX_PEER_KEY_BYTES}`
    );
  }
  const bytes = await readFile(file);
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_KEY_FILE', 'peer-key is not a protobuf private key', {
      cause,
    });
  }
  if (key.type !== 'Ed25519')
    throw new UndersignedError('MALFORMED_KEY_FILE', 'peer-key is not an Ed25519 key');
  // Canonical: the file is exactly the encoding of the key it holds.
  if (!equalBytes(privateKeyToProtobuf(key), bytes)) {
    throw new UndersignedError('MALFORMED_KEY_FILE', 'peer-key is not canonically encoded');
  }
  return key;
}

// Crash-safe order: write and fsync a temporary file (mode 0600), hard-link it to its final
// name (fails if that exists: never overwrite a key), remove the temporary name, fsync the
// directory. A crash leaves either no key file or a complete one. Returns false if the file
// already existed.
async function writeNewFile(file: string, bytes: Uint8Array): Promise<boolean> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  let created = true;
  try {
    await link(temp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    created = false;
  } finally {
    await unlink(temp);
  }
  const dir = await open(join(file, '..'), constants.O_RDONLY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return created;
}

/**
 * The libp2p keychain service, to be registered under the name `keychain`: @libp2p/webrtc
 * finds it there, keeps the certificate's ECDSA P-256 key in it and the certificate itself in
 * the libp2p datastore (<data>/datastore), and reuses both on the next start (@libp2p/webrtc
 * README, "Reuse TLS certificates after restart").
 *
 * Policy: no keychain password. The key is stored under the 0700 data directory, like
 * peer-key, and protects only the DTLS layer: Noise still authenticates the peer ID on top.
 * The certificate is renewed a day before it expires (14 days, the transport's default), which
 * changes the /certhash: operators re-announce the address then.
 */
export function certificateKeychain(): ReturnType<typeof keychain> {
  return keychain();
}
