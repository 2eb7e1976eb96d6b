// Reading a node's GET /metrics as Prometheus would: parsed by parse-prometheus-text-format (a
// port of prom2json's parser), after a strict check of every line against the grammar of the
// text format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats), which that parser
// is too lenient to do (it accepts unknown escapes and any value).

import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export type { ParsedFamily };

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:NaN|[+-]Inf|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:e[+-][0-9]+)?)';
const HELP = new RegExp(`^# HELP (${NAME}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{${LABEL}(?:,${LABEL})*\\})? ${VALUE}$`);

/**
 * Checks `text` line by line: it ends in a line feed; each family has one HELP then one TYPE
 * line before its samples, which follow together; no family appears twice. Throws an Error
 * naming the first line that breaks a rule.
 */
export function checkExposition(text: string): void {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end in a line feed');
  const done = new Set<string>();
  let current: string | undefined;
  let expect: 'help' | 'type' | 'sample' = 'help';
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const fail = (why: string): never => {
        throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
      };
      const help = HELP.exec(line);
      if (help !== null) {
        const name = help[1] as string;
        if (done.has(name) || name === current) fail('a family given twice');
        if (current !== undefined) done.add(current);
        current = name;
        expect = 'type';
        return;
      }
      const type = TYPE.exec(line);
      if (type !== null) {
        if (expect !== 'type' || type[1] !== current) fail('a TYPE line not after its HELP');
        expect = 'sample';
        return;
      }
      const sample = SAMPLE.exec(line);
      if (sample === null) fail('not a HELP, TYPE or sample line');
      if (expect !== 'sample' || sample?.[1] !== current) fail('a sample outside its family');
    });
}

/** A scrape: the HTTP status and Content-Type, the text, and its families. */
export type Scrape = {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  readonly families: ParsedFamily[];
};

/** GETs `<base>metrics`, checks it (checkExposition) and parses it. */
export async function scrape(base: string): Promise<Scrape> {
  const response = await fetch(new URL('metrics', base));
  const text = await response.text();
  const ok = response.status === 200;
  if (ok) checkExposition(text);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    families: ok ? parsePrometheusTextFormat(text) : [],
  };
}

/** The value of the sample of `name` whose labels are exactly `labels`; undefined if none. */
export function sampleValue(
  families: readonly ParsedFamily[],
  name: string,
  labels: Readonly<Record<string, string>> = {}
): number | undefined {
  const family = families.find((f) => f.name === name);
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const sample = family?.metrics.find(
    (m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()) === wanted
  );
  return sample === undefined ? undefined : parseGoFloat(sample.value);
}

/** A value of the text format as a number (Go's +Inf, -Inf, NaN included). */
export function parseGoFloat(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}
