// Cosignatures of our own checkpoints (docs/PROTOCOL.md §6.4), sent by the mirrors that
// follow our log (gossip 0x03), served appended to /log/checkpoint as signed-note lines.
//
// Policy: a cosignature counts only if its witness vkey is one we learned from the /info of a
// mirror whose log we follow, and it verifies; at most MAX_WITNESSES per checkpoint, for the
// last MAX_TEXTS checkpoints. Cosignatures by witnesses not known yet wait in a small buffer.

import { formatNote, openNote, parseNote, type NoteSignature } from '../../core/note.ts';
import { cosignatureVerifier } from '../../core/cosignature.ts';
import { parseVerifierKey, KEY_TYPE_COSIGNATURE, type Verifier } from '../../core/note-key.ts';

const MAX_TEXTS = 8;
const MAX_WITNESSES = 32;
const MAX_WAITING = 64;

/** The cosignatures held on our recent checkpoints. */
export class OwnCosignatures {
  readonly #logVerifier: Verifier;
  readonly #byText = new Map<string, Map<string, NoteSignature>>();
  #waiting: { vkey: string; note: string }[] = [];

  constructor(logVerifier: Verifier) {
    this.#logVerifier = logVerifier;
  }

  /**
   * Takes a cosigned note of our log by the witness `vkey`, if `known` lists it; keeps it for
   * later otherwise. Returns whether it was taken. Never throws on bad input.
   */
  add(vkey: string, note: string, known: readonly string[]): boolean {
    if (!known.includes(vkey)) {
      this.#waiting = [...this.#waiting.filter((w) => w.note !== note), { vkey, note }].slice(
        -MAX_WAITING
      );
      return false;
    }
    try {
      const key = parseVerifierKey(vkey);
      if (key.type !== KEY_TYPE_COSIGNATURE) return false;
      const opened = openNote(note, [this.#logVerifier, cosignatureVerifier(key)]);
      const line = opened.verified.find((s) => s.name === key.name);
      if (line === undefined || !opened.verified.some((s) => s.name === this.#logVerifier.name))
        return false;
      let held = this.#byText.get(opened.text);
      if (held === undefined) {
        held = new Map();
        this.#byText.set(opened.text, held);
        for (const text of [...this.#byText.keys()].slice(0, -MAX_TEXTS)) this.#byText.delete(text);
      }
      if (held.size >= MAX_WITNESSES && !held.has(vkey)) return false;
      held.set(vkey, line);
      return true;
    } catch {
      return false;
    }
  }

  /** Retries the waiting cosignatures against the witnesses now `known`. */
  retry(known: readonly string[]): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const w of waiting) this.add(w.vkey, w.note, known);
  }

  /** Our signed checkpoint note with the cosignatures held on its text appended. */
  cosigned(signed: string): string {
    const note = parseNote(signed);
    const held = this.#byText.get(note.text);
    if (held === undefined) return signed;
    return formatNote({ text: note.text, signatures: [...note.signatures, ...held.values()] });
  }
}
