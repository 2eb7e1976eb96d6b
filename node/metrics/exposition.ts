// The Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/
// exposition_formats, "Text-based format"): for each metric family a `# HELP` and a `# TYPE`
// line, then its samples, one a line, `name{label="value",…} value`, every line ending in \n.
//
// Escaping, as the format asks: in HELP text a backslash and a line feed become `\\` and `\n`;
// in a label value a backslash, a double quote and a line feed become `\\`, `\"` and `\n`.
// Values are Go float literals: integers as decimal digits, `NaN`, `+Inf`, `-Inf`.
//
// Only counters and gauges: the node measures no durations (no per-submission timing).

/** The Content-Type of the format (the `version` parameter is what Prometheus checks). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The two metric types used here. */
export type MetricType = 'counter' | 'gauge';

/** Label name → value. */
export type Labels = Readonly<Record<string, string>>;

/** One sample of a family: its labels (none by default) and its value. */
export type Sample = { readonly labels?: Labels; readonly value: number };

/** A metric family: a name, its help text, its type and its samples (maybe none). */
export type MetricFamily = {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
};

// Metric and label names, as the data model defines them; names starting "__" are reserved.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The exposition of `families`, in the order given. Throws TypeError for a name that is not a
 * metric or label name, an empty help text, a family given twice, or a series given twice;
 * RangeError for a counter that is negative or not a number.
 */
export function formatExposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  let text = '';
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new TypeError(`bad metric name "${family.name}"`);
    if (seen.has(family.name)) throw new TypeError(`metric "${family.name}" given twice`);
    if (family.help === '') throw new TypeError(`metric "${family.name}" has no help text`);
    seen.add(family.name);
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    text += `# TYPE ${family.name} ${family.type}\n`;
    const series = new Set<string>();
    for (const sample of family.samples) {
      if (family.type === 'counter' && !(sample.value >= 0)) {
        throw new RangeError(`counter "${family.name}" expected a count, got ${sample.value}`);
      }
      const labels = formatLabels(sample.labels ?? {});
      if (series.has(labels)) throw new TypeError(`series ${family.name}${labels} given twice`);
      series.add(labels);
      text += `${family.name}${labels} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}

/** `{a="1",b="2"}` in the order given, or "" for no labels. */
function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new TypeError(`bad label name "${name}"`);
    }
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** A label value escaped: `\` → `\\`, `"` → `\"`, line feed → `\n`. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escaped: `\` → `\\`, line feed → `\n`. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** A sample value as a Go float literal: `12`, `0.25`, `1e+21`, `NaN`, `+Inf`, `-Inf`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value); // JavaScript's shortest round-trip form parses as a Go float
}
