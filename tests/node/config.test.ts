// The node's configuration file (node/config.ts) and `undersigned init`.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isUndersignedError } from '../../core/errors.ts';
import { parseLetter } from '../../core/letter.ts';
import { CONFIG_KEYS, loadConfig, mergeConfig, parseConfig } from '../../node/config.ts';
import { exitStatus } from '../../node/cli/cli.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('reads every kind of value, resolving paths against the file’s directory', async () => {
    const path = write(
      'valid.conf',
      [
        '# a mirror',
        '',
        'letter = "letter.txt"   # the letter',
        'data = "/var/lib/undersigned"',
        '  http = "127.0.0.1:8470"',
        'batch-ms = 250',
        'no-p2p = false',
        'listen = "/ip4/127.0.0.1/tcp/8471"',
        'listen = "/ip4/127.0.0.1/tcp/8472/ws"\t# comment after a tab',
        'public-url = "https://a.example/\\"quoted\\"\\\\"',
        '',
      ].join('\r\n')
    );
    expect(await loadConfig(path)).toEqual({
      letter: join(dir, 'letter.txt'),
      data: '/var/lib/undersigned',
      http: '127.0.0.1:8470',
      'batch-ms': 250,
      'no-p2p': false,
      listen: ['/ip4/127.0.0.1/tcp/8471', '/ip4/127.0.0.1/tcp/8472/ws'],
      'public-url': ['https://a.example/"quoted"\\'],
    });
  });

  const refused: [string, string, RegExp][] = [
    ['an unknown key', 'letter = "x"\nlisten-on = "y"\n', /:2: unknown key "listen-on"/],
    ['a string for a number', 'batch-ms = "1000"\n', /:1: "batch-ms" expects a whole number/],
    ['a number for a string', 'http = 8470\n', /:1: "http" expects a "quoted" string/],
    ['a bare word', 'letter = letter.txt\n', /:1: "letter" expects a non-empty "quoted" path/],
    ['an empty path', 'data = ""\n', /"data" expects a non-empty/],
    ['a word for a switch', 'no-p2p = yes\n', /:1: "no-p2p" expects true or false/],
    ['a key set twice', 'data = "a"\n\ndata = "b"\n', /:3: "data" is set twice/],
    ['a line that is not key = value', '[node]\n', /:1: expected key = value/],
    ['a leading zero', 'poll-ms = 0100\n', /:1: "poll-ms" expects a whole number/],
    ['a negative number', 'poll-ms = -1\n', /"poll-ms" expects a whole number/],
    ['an unknown escape', 'http = "a\\nb"\n', /"http" expects/],
    ['a control character', 'http = "a\x01b"\n', /"http" expects/],
    ['text after a value', 'http = "a" b\n', /"http" expects/],
    ['an inherited key', 'constructor = "x"\n', /unknown key "constructor"/],
  ];
  it.each(refused)('refuses %s with BAD_CONFIG naming the line and key', (_, text, message) => {
    expect(() => parseConfig(text, 'node.conf', dir)).toThrowCode('BAD_CONFIG');
    expect(() => parseConfig(text, 'node.conf', dir)).toThrow(message);
  });

  it('refuses a file it cannot read, or that is not UTF-8, with BAD_CONFIG', async () => {
    await expect(loadConfig(join(dir, 'missing.conf'))).toRejectWithCode('BAD_CONFIG');
    mkdirSync(join(dir, 'a-directory'), { recursive: true });
    await expect(loadConfig(join(dir, 'a-directory'))).toRejectWithCode('BAD_CONFIG');
    const binary = join(dir, 'binary.conf');
    writeFileSync(binary, Uint8Array.of(0x64, 0x61, 0xff));
    await expect(loadConfig(binary)).toRejectWithCode('BAD_CONFIG');
    expect(exitStatus('BAD_CONFIG')).toBe(2);
  });

  it('parses any text or throws BAD_CONFIG', () => {
    const line = fc.oneof(
      fc.string(),
      fc
        .constantFrom(...Object.keys(CONFIG_KEYS))
        .chain((k) => fc.tuple(fc.constant(k), fc.string()).map(([key, v]) => `${key} = ${v}`))
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        try {
          parseConfig(lines.join('\n'), 'x.conf', dir);
        } catch (e) {
          expect(isUndersignedError(e, 'BAD_CONFIG')).toBe(true);
        }
      })
    );
  });
});

describe('mergeConfig', () => {
  it('lets flags override the file, repeatable ones as a whole, and drops --config', () => {
    const file = parseConfig(
      'data = "/d"\nbatch-ms = 50\npeer = "/ip4/1.2.3.4/tcp/1/p2p/A"\npeer = "/ip4/1.2.3.4/tcp/2/p2p/B"\nlisten = "/ip4/127.0.0.1/tcp/1"\n',
      'x.conf',
      dir
    );
    const merged = mergeConfig(file, {
      config: 'x.conf',
      'batch-ms': '10',
      peer: ['/ip4/5.6.7.8/tcp/1/p2p/C'],
      listen: [],
      http: '127.0.0.1:0',
    });
    expect(merged).toEqual({
      data: '/d',
      'batch-ms': '10',
      peer: ['/ip4/5.6.7.8/tcp/1/p2p/C'],
      listen: ['/ip4/127.0.0.1/tcp/1'],
      http: '127.0.0.1:0',
    });
  });
});

describe('undersigned init', () => {
  it('writes a letter and a commented config that loads cleanly, and refuses to overwrite', async () => {
    const text = write('text.md', 'We will not build it.\n');
    const out = join(dir, 'new-letter');
    const r = await runCli(['init', '--title', 'No', '--text', text, '--dir', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(parseLetter(readFileSync(join(out, 'letter.txt'))).title).toBe('No');
    const config = await loadConfig(join(out, 'undersigned.conf'));
    expect(config).toEqual({
      letter: join(out, 'letter.txt'),
      data: join(out, 'data'),
      http: '127.0.0.1:8470',
      'batch-ms': 1000,
      listen: [
        '/ip4/127.0.0.1/tcp/8471',
        '/ip4/127.0.0.1/tcp/8472/ws',
        '/ip4/127.0.0.1/udp/8471/webrtc-direct',
      ],
    });
    // Every setting has a comment just above it, and commented-out examples parse too.
    const lines = readFileSync(join(out, 'undersigned.conf'), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const key = /^([a-z0-9-]+) = /.exec(line)?.[1];
      if (key !== undefined) expect(lines[i - 1], line).toMatch(new RegExp(`^(# |${key} = )`));
    });
    const examples = lines.filter((l) => /^# [a-z0-9-]+ = /.test(l)).map((l) => l.slice(2));
    expect(Object.keys(parseConfig(examples.join('\n'), 'examples', out)).sort()).toEqual(
      [
        'announce',
        'follow',
        'log-format',
        'no-metrics',
        'no-p2p',
        'peer',
        'public-url',
        'seed',
      ].sort()
    );
    const before = readFileSync(join(out, 'letter.txt'));
    const again = await runCli(['init', '--title', 'Yes', '--text', text, '--dir', out]);
    expect(again.status).toBe(4);
    expect(again.stderr).toMatch(/EEXIST/);
    expect(readFileSync(join(out, 'letter.txt'))).toEqual(before);
  });
});
