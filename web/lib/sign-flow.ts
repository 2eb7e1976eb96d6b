// Signing, in order (docs/PROTOCOL.md §3, §8.3, §9):
//   1. a new key on this device (lib/keys.ts);
//   2. if the signer chose a backup: the encrypted backup, made before anything is sent, so the
//      key cannot be lost between signing and saving it;
//   3. if the signer chose to keep it: the key goes into IndexedDB, also before sending;
//   4. the entry: stamp search and signature in a worker (lib/make-entry.ts);
//   5. submission to the chosen mirrors, each receipt checked (lib/submit.ts);
//   6. kept keys get their receipts; a forgotten key is dropped (nothing refers to it after).
// Withdrawing is steps 4 and 5 with a withdraw entry, by a kept or restored key.

import type { Letter } from '../../core/letter.ts';
import type { EntryKind } from '../../core/entry.ts';
import { backupOf, type KeyChoice } from './key-choice.ts';
import { generateSignerKey, type SignerKey } from './keys.ts';
import type { KeyStore } from './key-store.ts';
import { makeEntry, type MakeEntryOptions } from './make-entry.ts';
import type { LogRef } from './mirror-api.ts';
import { submitEntry, type SubmitResult } from './submit.ts';
import type { ScryptParams } from './backup.ts';

export type SignPhase = 'key' | 'backup' | 'stamp' | 'submit';

/** The letter and where to send entries. */
export type SignContext = {
  readonly letter: Letter;
  readonly letterFile: Uint8Array;
  readonly letterIdHex: string;
  readonly mirrors: readonly string[];
  readonly logs: readonly LogRef[];
  readonly keyStore: KeyStore;
};

export type FlowOptions = {
  readonly onPhase?: (phase: SignPhase) => void;
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
  readonly spawn?: MakeEntryOptions['spawn'];
  readonly scrypt?: ScryptParams;
};

/** What signing gave: the entry, each mirror's answer, and the backup file if one was made. */
export type SignOutcome = {
  readonly entry: Uint8Array;
  readonly results: readonly SubmitResult[];
  readonly backup: string | undefined;
};

/** Signs the letter with a new key; see the top of this file. */
export async function signLetter(
  context: SignContext,
  fields: { name: string; affiliation: string; keyChoice: KeyChoice; passphrase: string },
  options: FlowOptions = {}
): Promise<SignOutcome> {
  options.onPhase?.('key');
  const key = await generateSignerKey();
  let backup: string | undefined;
  if (fields.keyChoice === 'backup') {
    options.onPhase?.('backup');
    backup = await backupOf(context.letterIdHex, key, fields.passphrase, options);
  }
  if (fields.keyChoice === 'keep') await context.keyStore.keep(context.letterIdHex, key, []);
  const { entry, results } = await sendEntry(context, key, 'sign', fields, options);
  if (fields.keyChoice === 'keep') {
    await context.keyStore.addReceipts(context.letterIdHex, receiptsOf(results), false);
  }
  return { entry, results, backup };
}

/** Withdraws the signature of `key`; a kept key gets the withdrawal's receipts. */
export async function withdrawSignature(
  context: SignContext,
  key: SignerKey,
  options: FlowOptions = {}
): Promise<{ entry: Uint8Array; results: readonly SubmitResult[] }> {
  const sent = await sendEntry(context, key, 'withdraw', { name: '', affiliation: '' }, options);
  const kept = await context.keyStore.get(context.letterIdHex);
  if (kept !== undefined && kept.publicKey.every((b, i) => b === key.publicKey[i])) {
    await context.keyStore.addReceipts(context.letterIdHex, receiptsOf(sent.results), true);
  }
  return sent;
}

async function sendEntry(
  context: SignContext,
  key: SignerKey,
  kind: EntryKind,
  fields: { name: string; affiliation: string },
  options: FlowOptions
): Promise<{ entry: Uint8Array; results: readonly SubmitResult[] }> {
  options.onPhase?.('stamp');
  const job = {
    letterFile: context.letterFile,
    key,
    kind,
    name: fields.name.normalize('NFC').trim(),
    affiliation: fields.affiliation.normalize('NFC').trim(),
  };
  const entry = await makeEntry(job, context.letter.stampBits, {
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
  });
  options.onPhase?.('submit');
  const results = await submitEntry(
    entry,
    context.mirrors,
    context.letter,
    context.logs,
    options.signal === undefined ? {} : { signal: options.signal }
  );
  return { entry, results };
}

function receiptsOf(results: readonly SubmitResult[]): string[] {
  return results.flatMap((r) => (r.ok ? [r.receipt] : []));
}
