// The sign form's state: what the signer typed and chose, what is wrong with it, and how
// signing goes (lib/sign-flow.ts does the work).

import { fieldTextProblem } from '../../core/text.ts';
import { MAX_AFFILIATION_BYTES, MAX_NAME_BYTES } from '../../core/entry.ts';
import { isSmallBucket, bucketSize } from './breakdown.ts';
import { passphraseProblem, type KeyChoice } from './key-choice.ts';
import { signLetter, type FlowOptions, type SignContext, type SignPhase } from './sign-flow.ts';
import type { SubmitResult } from './submit.ts';

export type SignStep = 'form' | 'working' | 'done' | 'failed';

export class Signing {
  name = $state('');
  affiliation = $state('');
  keyChoice: KeyChoice = $state('keep');
  passphrase = $state('');
  passphraseAgain = $state('');
  /** Mirrors chosen to receive the signature. */
  chosen: readonly string[] = $state.raw([]);
  step: SignStep = $state('form');
  phase: SignPhase | undefined = $state();
  progress = $state(0);
  results: readonly SubmitResult[] = $state.raw([]);
  backup: string | undefined = $state();
  error: string | undefined = $state();

  constructor(mirrors: readonly string[]) {
    this.chosen = [...mirrors];
  }

  /** Why the name cannot be signed as typed, or undefined. */
  get nameProblem(): string | undefined {
    return fieldTextProblem(this.name.normalize('NFC').trim(), MAX_NAME_BYTES);
  }

  get affiliationProblem(): string | undefined {
    return fieldTextProblem(this.affiliation.normalize('NFC').trim(), MAX_AFFILIATION_BYTES);
  }

  get passphraseProblem(): 'short' | 'mismatch' | undefined {
    return this.keyChoice === 'backup'
      ? passphraseProblem(this.passphrase, this.passphraseAgain)
      : undefined;
  }

  /** How many verified signers share the typed affiliation, if it is small enough to warn. */
  smallBucket(breakdown: ReadonlyMap<string, number>): number | undefined {
    return isSmallBucket(breakdown, this.affiliation)
      ? bucketSize(breakdown, this.affiliation)
      : undefined;
  }

  get ready(): boolean {
    return (
      this.nameProblem === undefined &&
      this.affiliationProblem === undefined &&
      this.passphraseProblem === undefined &&
      this.chosen.length > 0 &&
      this.step !== 'working'
    );
  }

  /** The first accepted receipt. */
  get receipt(): SubmitResult | undefined {
    return this.results.find((r) => r.ok);
  }

  /** Signs (lib/sign-flow.ts); the state follows along. */
  async sign(context: SignContext, options: FlowOptions = {}): Promise<void> {
    if (!this.ready) return;
    this.step = 'working';
    this.progress = 0;
    this.error = undefined;
    this.results = [];
    this.backup = undefined;
    try {
      const outcome = await signLetter(
        { ...context, mirrors: this.chosen },
        {
          name: this.name,
          affiliation: this.affiliation,
          keyChoice: this.keyChoice,
          passphrase: this.passphrase,
        },
        {
          ...options,
          onPhase: (phase) => {
            this.phase = phase;
            this.progress = 0;
          },
          onProgress: (fraction) => {
            this.progress = fraction;
          },
        }
      );
      this.results = outcome.results;
      this.backup = outcome.backup;
      this.step = outcome.results.some((r) => r.ok) ? 'done' : 'failed';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.step = 'failed';
    } finally {
      this.passphrase = '';
      this.passphraseAgain = '';
      this.phase = undefined;
    }
  }

  /** Back to an empty form, for another signature with another key. */
  reset(): void {
    this.name = '';
    this.affiliation = '';
    this.step = 'form';
    this.results = [];
    this.backup = undefined;
    this.error = undefined;
  }
}
