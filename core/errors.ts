// One error type for untrusted input that is malformed or fails verification, with a code
// from one shared union. Programmer mistakes throw TypeError/RangeError; our own bugs throw
// Error('bug: ...'). Only the CLI and the UI turn codes into exit statuses and sentences.

export type ErrorCode =
  // Encodings (core/bytes.ts)
  | 'MALFORMED_BASE64'
  | 'MALFORMED_HEX'
  | 'MALFORMED_UTF8'
  // c2sp.org/signed-note
  | 'MALFORMED_NOTE'
  | 'MALFORMED_KEY'
  | 'UNVERIFIED_NOTE' // parsed, but no signature by a known key
  | 'INVALID_SIGNATURE' // a known key's signature failed: the whole note is rejected
  // c2sp.org/tlog-checkpoint, tlog-cosignature
  | 'MALFORMED_CHECKPOINT'
  | 'MALFORMED_COSIGNATURE'
  | 'WRONG_ORIGIN'
  // RFC 6962 proofs, c2sp.org/tlog-tiles
  | 'INVALID_PROOF'
  | 'MALFORMED_TILE_PATH'
  | 'MALFORMED_TILE'
  | 'MALFORMED_ENTRY_BUNDLE'
  | 'MALFORMED_FRONTIER' // a saved TreeBuilder frontier (core/tree.ts)
  | 'ROOT_MISMATCH'
  | 'INCONSISTENT_CHECKPOINTS'
  // Letters and entries (docs/PROTOCOL.md)
  | 'MALFORMED_LETTER'
  | 'MALFORMED_ENTRY'
  | 'MALFORMED_TEXT'
  | 'WRONG_LETTER'
  | 'BAD_ENTRY_SIGNATURE'
  | 'INSUFFICIENT_STAMP'
  | 'MALFORMED_KEY_FILE'
  | 'MALFORMED_RECEIPT' // c2sp.org/tlog-proof@v1 receipts (core/receipt.ts)
  | 'DUPLICATE_KEY' // a different entry of the same kind by a key already in the log (node/log/)
  // IPFS blocks and UnixFS directories (node/p2p/)
  | 'MALFORMED_CID'
  | 'MALFORMED_DIRECTORY'
  | 'MALFORMED_CAR' // an offline copy (CARv1) that does not parse or whose blocks do not check (node/car/)
  | 'MALFORMED_MESSAGE' // a gossip message of a known type that does not parse (PROTOCOL §8.2)
  // Fetching and configuration (node/, web/)
  | 'FETCH_FAILED'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'BAD_CONFIG'
  | 'UNAVAILABLE' // a mirror is stopping, overloaded, or failed to write a batch: retry later
  | 'CORRUPT_DATA'; // a mirror's own data directory is damaged or inconsistent

export class UndersignedError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UndersignedError'; // a literal: survives minification
    this.code = code; // an explicit field: parameter properties are not erasable syntax
  }
}

/** Whether `e` is an UndersignedError, and, if `code` is given, one with that code. */
export function isUndersignedError(e: unknown, code?: ErrorCode): e is UndersignedError {
  return (
    e instanceof Error &&
    e.name === 'UndersignedError' &&
    (code === undefined || (e as { code?: unknown }).code === code)
  );
}
