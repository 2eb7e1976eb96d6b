// The configuration file of `undersigned node --config FILE`: every flag of the node as one
// `key = value` line, a small strict subset of TOML (toml.io v1.0.0), so that a mistake is
// refused with its key and line instead of being guessed at:
//
//   # a comment, on its own line or after a value
//   letter = "letter.txt"          a "string" (escapes \" and \\ only), for string flags
//   batch-ms = 1000                a whole number, for numeric flags
//   no-p2p = false                 true or false, for switches
//   log-format = "json"            a "string" among a few, for flags that name a choice
//   peer = "/dns4/a.example/tcp/8471/p2p/12D3…"
//   peer = "/dns4/b.example/tcp/8471/p2p/12D3…"   repeatable flags repeat their key
//
// Keys are the flag names. Relative paths are relative to the file's directory. Flags given on
// the command line override the file (mergeConfig). Errors are BAD_CONFIG (exit status 2).

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { utf8Decode } from '../core/bytes.ts';
import { UndersignedError } from '../core/errors.ts';
import type { Values } from './cli/command.ts';
import { LOG_FORMATS } from './ops-log.ts';

type Kind = 'string' | 'path' | 'integer' | 'boolean';
type Spec = {
  readonly kind: Kind;
  readonly multiple?: boolean;
  /** The only values a string may take. */
  readonly choices?: readonly string[];
};

/** Every key a node configuration may hold: the flags of `undersigned node`. */
export const CONFIG_KEYS: Readonly<Record<string, Spec>> = {
  letter: { kind: 'path' },
  data: { kind: 'path' },
  http: { kind: 'string' },
  'batch-ms': { kind: 'integer' },
  web: { kind: 'path' },
  listen: { kind: 'string', multiple: true },
  announce: { kind: 'string', multiple: true },
  peer: { kind: 'string', multiple: true },
  follow: { kind: 'string', multiple: true },
  'public-url': { kind: 'string', multiple: true },
  'announce-ms': { kind: 'integer' },
  'poll-ms': { kind: 'integer' },
  'no-p2p': { kind: 'boolean' },
  'no-metrics': { kind: 'boolean' },
  'log-format': { kind: 'string', choices: LOG_FORMATS },
  seed: { kind: 'path' },
};

/** A parsed configuration: flag name → value (strings for repeatable keys, in file order). */
export type NodeConfig = Readonly<Record<string, string | number | boolean | readonly string[]>>;

// Policy: a configuration is small; refuse anything larger rather than read it whole.
const MAX_CONFIG = 64 * 1024;
const LINE = /^([a-z][a-z0-9-]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;
// Controls are refused in strings by the check in parseValue (no-control-regex).
const STRING = /^"((?:[^"\\]|\\["\\])*)"(?:[ \t]+#.*)?$/;
const INTEGER = /^(0|[1-9][0-9]{0,14})(?:[ \t]+#.*)?$/;
const BOOLEAN = /^(true|false)(?:[ \t]+#.*)?$/;

/**
 * Parses configuration text; `where` names the file in messages and relative paths resolve
 * against `baseDir`. Throws BAD_CONFIG naming the line and key.
 */
export function parseConfig(text: string, where: string, baseDir: string): NodeConfig {
  const bad = (line: number, why: string): UndersignedError =>
    new UndersignedError('BAD_CONFIG', `${where}:${line}: ${why}`);
  if (text.length > MAX_CONFIG) throw bad(0, `larger than ${MAX_CONFIG} bytes`);
  const config: Record<string, string | number | boolean | string[]> = {};
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/^[ \t]*(#.*)?$/.test(line)) return;
    const match = LINE.exec(line.trimStart());
    if (match === null) throw bad(n, 'expected key = value');
    const [, key = '', value = ''] = match;
    const spec = Object.hasOwn(CONFIG_KEYS, key) ? CONFIG_KEYS[key] : undefined;
    if (spec === undefined) throw bad(n, `unknown key "${key}"`);
    if (!spec.multiple && Object.hasOwn(config, key)) throw bad(n, `"${key}" is set twice`);
    const parsed = parseValue(spec.kind, value);
    if (parsed === undefined) throw bad(n, `"${key}" expects ${describe(spec.kind)}`);
    if (spec.choices !== undefined && !spec.choices.includes(parsed as string)) {
      throw bad(n, `"${key}" expects ${spec.choices.map((c) => `"${c}"`).join(' or ')}`);
    }
    const resolved = spec.kind === 'path' ? resolve(baseDir, parsed as string) : parsed;
    if (spec.multiple) {
      const list = config[key];
      config[key] = [...(Array.isArray(list) ? list : []), resolved as string];
    } else {
      config[key] = resolved;
    }
  });
  return config;
}

function parseValue(kind: Kind, value: string): string | number | boolean | undefined {
  if (kind === 'integer') {
    const m = INTEGER.exec(value);
    return m === null ? undefined : Number(m[1]);
  }
  if (kind === 'boolean') {
    const m = BOOLEAN.exec(value);
    return m === null ? undefined : m[1] === 'true';
  }
  const m = STRING.exec(value);
  if (m === null || hasControl(m[1] ?? '')) return undefined;
  const unescaped = (m[1] ?? '').replace(/\\(["\\])/g, '$1');
  return kind === 'path' && unescaped === '' ? undefined : unescaped;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function describe(kind: Kind): string {
  if (kind === 'integer') return 'a whole number, e.g. 1000';
  if (kind === 'boolean') return 'true or false';
  return kind === 'path' ? 'a non-empty "quoted" path' : 'a "quoted" string';
}

/** Reads and parses the configuration file at `path`. Throws BAD_CONFIG. */
export async function loadConfig(path: string): Promise<NodeConfig> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new UndersignedError('BAD_CONFIG', `cannot read config file ${path}`, { cause });
  }
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch (cause) {
    throw new UndersignedError('BAD_CONFIG', `${path}: not UTF-8 text`, { cause });
  }
  return parseConfig(text, path, dirname(resolve(path)));
}

/**
 * The node's flag values: `flags` as parsed from the command line, over the file's values.
 * Policy: a flag given on the command line replaces the file's value, and for a repeatable
 * flag the whole list (so `--peer X` alone means only X). Numbers become the strings the flag
 * parsers expect; `config` itself is dropped.
 */
export function mergeConfig(fileConfig: NodeConfig, flags: Values): Values {
  const merged: Values = {};
  for (const [key, value] of Object.entries(fileConfig)) {
    if (typeof value === 'number') merged[key] = String(value);
    else if (typeof value === 'string' || typeof value === 'boolean') merged[key] = value;
    else merged[key] = [...value];
  }
  for (const [key, value] of Object.entries(flags)) {
    if (key === 'config' || value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    merged[key] = value;
  }
  return merged;
}
