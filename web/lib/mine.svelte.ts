// "My signature": the key kept on this device (if any), receipts to check against the logs
// today (lib/receipt-check.ts), a key restored from a backup, and withdrawal (lib/sign-flow.ts).

import { openBackup } from './backup.ts';
import { importSeed, type SignerKey } from './keys.ts';
import type { KeptKey, KeyStore } from './key-store.ts';
import { backupOf } from './key-choice.ts';
import { checkReceiptToday, type ReceiptReport } from './receipt-check.ts';
import { withdrawSignature, type FlowOptions, type SignContext } from './sign-flow.ts';
import type { SubmitResult } from './submit.ts';
import type { Letter } from '../../core/letter.ts';
import type { LogRef } from './mirror-api.ts';

export class Mine {
  kept: KeptKey | undefined = $state.raw();
  restored: SignerKey | undefined = $state.raw();
  report: ReceiptReport | undefined = $state.raw();
  checking = $state(false);
  withdrawing = $state(false);
  withdrawResults: readonly SubmitResult[] = $state.raw([]);
  message: string | undefined = $state();
  readonly #store: KeyStore;
  readonly #letterIdHex: string;

  constructor(store: KeyStore, letterIdHex: string) {
    this.#store = store;
    this.#letterIdHex = letterIdHex;
  }

  /** The key withdrawal would use: a restored one first, else the kept one. */
  get key(): SignerKey | undefined {
    return this.restored ?? this.kept;
  }

  async load(): Promise<void> {
    this.kept = await this.#store.get(this.#letterIdHex).catch(() => undefined);
  }

  async check(
    receipt: string | Uint8Array,
    letter: Letter,
    logs: readonly LogRef[]
  ): Promise<void> {
    this.checking = true;
    this.report = undefined;
    try {
      this.report = await checkReceiptToday(receipt, letter, logs);
    } finally {
      this.checking = false;
    }
  }

  /** Opens a backup file; sets `message` to the problem when it cannot. */
  async restore(file: Uint8Array, passphrase: string): Promise<boolean> {
    try {
      const opened = await openBackup(file, passphrase);
      if (opened.letterId !== this.#letterIdHex) return this.#fail('wrongLetter');
      this.restored = await importSeed(opened.seed);
      opened.seed.fill(0);
      this.message = 'restored';
      return true;
    } catch (e) {
      return this.#fail(e instanceof Error ? e.message : String(e));
    }
  }

  async withdraw(context: SignContext, options: FlowOptions = {}): Promise<void> {
    const key = this.key;
    if (key === undefined) return;
    this.withdrawing = true;
    this.message = undefined;
    try {
      this.withdrawResults = (await withdrawSignature(context, key, options)).results;
      this.message = this.withdrawResults.some((r) => r.ok) ? 'withdrawn' : undefined;
      await this.load();
    } catch (e) {
      this.#fail(e instanceof Error ? e.message : String(e));
    } finally {
      this.withdrawing = false;
    }
  }

  /** The encrypted backup file of the kept key. */
  async backupKept(passphrase: string): Promise<string | undefined> {
    if (this.kept === undefined) return undefined;
    return backupOf(this.#letterIdHex, this.kept, passphrase);
  }

  async forget(): Promise<void> {
    await this.#store.forget(this.#letterIdHex);
    this.kept = undefined;
    this.message = 'forgotten';
  }

  #fail(message: string): false {
    this.message = message;
    return false;
  }
}
