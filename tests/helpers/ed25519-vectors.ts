// The Ed25519 vectors of tests/vectors/ed25519/ (see SOURCES.md there), decoded.

import { readFileSync } from 'node:fs';
import { fromHex } from '../../core/bytes.ts';
import type { EdgeCaseFile } from '../vectors/ed25519/generate.ts';

export const EDGE_CASES_FILE = new URL('../vectors/ed25519/edge-cases.json', import.meta.url);
const RFC8032_FILE = new URL('../vectors/ed25519/rfc8032.json', import.meta.url);

export type Ed25519Vector = {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly expected: boolean;
};

export type Rfc8032Vector = Ed25519Vector & { readonly secretKey: Uint8Array };
export type EdgeCaseVector = Ed25519Vector & { readonly comment: string; readonly zip215: boolean };

export function readEdgeCaseFile(): EdgeCaseFile {
  return JSON.parse(readFileSync(EDGE_CASES_FILE, 'utf8')) as EdgeCaseFile;
}

/** The generated edge cases, each with the verdict under our rule. */
export function edgeCaseVectors(): EdgeCaseVector[] {
  return readEdgeCaseFile().cases.map((c) => ({
    id: c.id,
    comment: c.comment,
    publicKey: fromHex(c.publicKey),
    message: fromHex(c.message),
    signature: fromHex(c.signature),
    expected: c.expected,
    zip215: c.zip215,
  }));
}

type Rfc8032File = {
  vectors: {
    name: string;
    secretKey: string;
    publicKey: string;
    message: string;
    signature: string;
  }[];
};

/** RFC 8032 §7.1's Ed25519 test vectors: all valid. */
export function rfc8032Vectors(): Rfc8032Vector[] {
  const file = JSON.parse(readFileSync(RFC8032_FILE, 'utf8')) as Rfc8032File;
  return file.vectors.map((v) => ({
    id: `rfc8032/${v.name}`,
    secretKey: fromHex(v.secretKey),
    publicKey: fromHex(v.publicKey),
    message: fromHex(v.message),
    signature: fromHex(v.signature),
    expected: true,
  }));
}

/** Every vector: RFC 8032's and the edge cases. */
export function allEd25519Vectors(): Ed25519Vector[] {
  return [...rfc8032Vectors(), ...edgeCaseVectors()];
}
