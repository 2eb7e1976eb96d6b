import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { testLetter } from '../helpers/entries.ts';
import { letterId } from '../../core/letter.ts';
import { CheckpointMemory, memoryStore } from '../../web/lib/checkpoint-memory.ts';
import { Verification } from '../../web/lib/verification.svelte.ts';
import { Signing } from '../../web/lib/signing.svelte.ts';
import CountPanel from '../../web/components/CountPanel.svelte';
import AffiliationChart from '../../web/components/AffiliationChart.svelte';
import AlarmBanner from '../../web/components/AlarmBanner.svelte';
import SignForm from '../../web/components/SignForm.svelte';

const letter = testLetter(0);
let mounted: Record<string, unknown>[] = [];
afterEach(() => {
  for (const c of mounted) void unmount(c);
  mounted = [];
  document.body.innerHTML = '';
});

// Components are typed by svelte-check, but by tsc only as Svelte's ambient `*.svelte` module:
// the helper takes them as they come.
function render(component: unknown, props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  mounted.push(mount(component as Parameters<typeof mount>[0], { target, props }));
  flushSync();
  return target;
}

function verification(): Verification {
  return new Verification({
    letter,
    letterId: letterId(letter),
    logs: [],
    ed25519: createEd25519Verifier(),
    memory: new CheckpointMemory(memoryStore()),
    witnessKeys: [],
    now: () => 0,
  });
}

const byTestId = (root: HTMLElement, id: string): Element | null =>
  root.querySelector(`[data-testid="${id}"]`);

describe('CountPanel', () => {
  it('holds just the verified number and the state under stable test ids', () => {
    const v = verification();
    const root = render(CountPanel, { verification: v });
    expect(byTestId(root, 'verify-state')?.textContent).toBe('verifying');
    expect(byTestId(root, 'verified-count')?.textContent).toBe('');
    v.count = 1234;
    v.state = 'verified';
    flushSync();
    expect(byTestId(root, 'verified-count')?.textContent).toBe('1234');
    expect(byTestId(root, 'verify-state')?.textContent).toBe('verified');
    v.state = 'failed';
    flushSync();
    expect(byTestId(root, 'verify-state')?.textContent).toBe('failed');
  });
});

describe('AffiliationChart', () => {
  it('renders hostile affiliations as text, stripped of controls, and folds small groups', () => {
    const breakdown = new Map([
      ['<img src=x onerror=alert(1)>', 7],
      ['\u202Egnp.exe\u200F', 5],
      ['Solo', 1],
      ['Duo', 2],
    ]);
    const root = render(AffiliationChart, { breakdown });
    expect(root.querySelector('img')).toBeNull();
    const rows = [...root.querySelectorAll('[data-testid="breakdown-row"]')].map((r) =>
      r.textContent.replace(/\s+/g, ' ').trim()
    );
    expect(rows).toEqual([
      '<img src=x onerror=alert(1)> 7 signers',
      'gnp.exe 5 signers',
      'Fewer than 5 signers each 3 signers',
    ]);
    expect(root.innerHTML).not.toMatch(/[\u202E\u200F]/);
  });
});

describe('AlarmBanner', () => {
  it('names the mirror that served data that does not verify', () => {
    const root = render(AlarmBanner, {
      alarms: [
        {
          mirror: 'https://bad.example/',
          origin: 'o',
          culprit: 'mirror',
          message: 'the entries do not hash to the root',
        },
      ],
    });
    expect(root.querySelector('[role="alert"]')?.textContent).toContain('https://bad.example/');
    expect(byTestId(root, 'alarm-mirror')?.getAttribute('data-mirror')).toBe(
      'https://bad.example/'
    );
  });
});

describe('SignForm', () => {
  it('warns when the typed affiliation has fewer than 5 verified signers, and checks fields', () => {
    const signing = new Signing(['https://a.example/']);
    const breakdown = new Map([
      ['Acme', 12],
      ['Tiny Co', 2],
    ]);
    const root = render(SignForm, {
      signing,
      mirrors: ['https://a.example/'],
      breakdown,
      onsign: () => undefined,
    });
    expect(byTestId(root, 'small-group-warning')).toBeNull();
    signing.affiliation = 'Tiny Co';
    flushSync();
    expect(byTestId(root, 'small-group-warning')?.textContent).toContain(
      'Only 2 people have signed'
    );
    signing.affiliation = 'Acme';
    flushSync();
    expect(byTestId(root, 'small-group-warning')).toBeNull();
    expect((byTestId(root, 'sign-submit') as HTMLButtonElement).disabled).toBe(false);
    signing.keyChoice = 'backup';
    signing.passphrase = 'short';
    flushSync();
    expect((byTestId(root, 'sign-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(byTestId(root, 'passphrase')).not.toBeNull();
    signing.keyChoice = 'forget';
    signing.name = 'Ada\u202E';
    flushSync();
    expect(signing.nameProblem).toMatch(/refused code point/);
    expect((byTestId(root, 'sign-submit') as HTMLButtonElement).disabled).toBe(true);
  });
});
