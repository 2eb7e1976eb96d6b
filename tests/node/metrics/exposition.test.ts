// The Prometheus text exposition format (node/metrics/exposition.ts), read back by a real
// parser (parse-prometheus-text-format) and by the format's grammar (tests/helpers/prometheus.ts).

import fc from 'fast-check';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import {
  escapeHelp,
  escapeLabelValue,
  formatExposition,
  formatValue,
  type MetricFamily,
} from '../../../node/metrics/exposition.ts';
import { checkExposition, parseGoFloat } from '../../helpers/prometheus.ts';

describe('formatExposition', () => {
  it('writes HELP and TYPE lines, then the samples, as the format shows them', () => {
    const text = formatExposition([
      {
        name: 'http_requests_total',
        help: 'The total number of HTTP requests.',
        type: 'counter',
        samples: [
          { labels: { method: 'post', code: '200' }, value: 1027 },
          { labels: { method: 'post', code: '400' }, value: 3 },
        ],
      },
      { name: 'tree_size', help: 'A gauge.', type: 'gauge', samples: [{ value: 0 }] },
      { name: 'none_yet', help: 'No samples.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP http_requests_total The total number of HTTP requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027',
        'http_requests_total{method="post",code="400"} 3',
        '# HELP tree_size A gauge.',
        '# TYPE tree_size gauge',
        'tree_size 0',
        '# HELP none_yet No samples.',
        '# TYPE none_yet gauge',
        '',
      ].join('\n')
    );
    checkExposition(text);
    expect(parsePrometheusTextFormat(text)).toEqual([
      {
        name: 'http_requests_total',
        help: 'The total number of HTTP requests.',
        type: 'COUNTER',
        metrics: [
          { labels: { method: 'post', code: '200' }, value: '1027' },
          { labels: { method: 'post', code: '400' }, value: '3' },
        ],
      },
      { name: 'tree_size', help: 'A gauge.', type: 'GAUGE', metrics: [{ value: '0' }] },
      { name: 'none_yet', help: 'No samples.', type: 'GAUGE', metrics: [] },
    ]);
  });

  it('escapes label values and help text as the format asks', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
    const text = formatExposition([
      {
        name: 'x',
        help: 'C:\\DIR\\FILE.TXT\nline two',
        type: 'gauge',
        samples: [{ labels: { origin: 'say "hi"\\\n}, {' }, value: 1 }],
      },
    ]);
    expect(text).toContain('# HELP x C:\\\\DIR\\\\FILE.TXT\\nline two\n');
    expect(text).toContain('x{origin="say \\"hi\\"\\\\\\n}, {"} 1\n');
  });

  it('round-trips any label value and help text through a real parser', () => {
    const help = fc.string({ minLength: 1 }).filter((s) => s === s.trim()); // it trims lines
    fc.assert(
      fc.property(help, fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (h, values) => {
        const text = formatExposition([
          {
            name: 'undersigned_test',
            help: h,
            type: 'gauge',
            samples: values.map((v, i) => ({ labels: { i: String(i), v }, value: i })),
          },
        ]);
        checkExposition(text);
        const [family, ...rest] = parsePrometheusTextFormat(text);
        expect(rest).toEqual([]);
        expect(family?.help).toBe(h);
        expect(family?.metrics.map((m) => m.labels?.['v'])).toEqual(values);
      })
    );
  });

  it('writes values as Go floats that parse back to the same number', () => {
    expect([NaN, Infinity, -Infinity, 0, -0, 12, 0.25, 1e21, 1e-7].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0',
      '0',
      '12',
      '0.25',
      '1e+21',
      '1e-7',
    ]);
    const gauge = (value: number): MetricFamily => ({
      name: 'g',
      help: 'g',
      type: 'gauge',
      samples: [{ value }],
    });
    fc.assert(
      fc.property(fc.double(), (value) => {
        const text = formatExposition([gauge(value)]);
        checkExposition(text);
        const parsed = parsePrometheusTextFormat(text)[0]?.metrics[0]?.value ?? '';
        expect(parseGoFloat(parsed)).toBe(value === 0 ? 0 : value); // -0 is written 0
      })
    );
    // Tree sizes past 2^32 stay exact.
    expect(formatExposition([gauge(2 ** 32 + 1)])).toContain('g 4294967297\n');
  });

  it('refuses bad names, a family or a series given twice, and a negative counter', () => {
    const family = (over: Partial<MetricFamily>): MetricFamily => ({
      name: 'ok',
      help: 'h',
      type: 'counter',
      samples: [{ value: 1 }],
      ...over,
    });
    expect(() => formatExposition([family({ name: '1abc' })])).toThrow(TypeError);
    expect(() => formatExposition([family({ name: 'a-b' })])).toThrow(TypeError);
    expect(() => formatExposition([family({ help: '' })])).toThrow(TypeError);
    expect(() => formatExposition([family({}), family({})])).toThrow(TypeError);
    const labelled = (labels: Record<string, string>): Partial<MetricFamily> => ({
      samples: [{ labels, value: 1 }],
    });
    expect(() => formatExposition([family(labelled({ 'a:b': 'x' }))])).toThrow(TypeError);
    expect(() => formatExposition([family(labelled({ __name__: 'x' }))])).toThrow(TypeError);
    expect(() => formatExposition([family({ samples: [{ value: 1 }, { value: 2 }] })])).toThrow(
      TypeError
    );
    expect(() => formatExposition([family({ samples: [{ value: -1 }] })])).toThrow(RangeError);
    expect(() => formatExposition([family({ samples: [{ value: NaN }] })])).toThrow(RangeError);
    expect(formatExposition([family({ type: 'gauge', samples: [{ value: -1 }] })])).toContain(
      'ok -1\n'
    );
  });
});

describe('checkExposition', () => {
  it('refuses what the format does not allow', () => {
    const bad = [
      'x 1', // no final line feed
      'x 1\n', // a sample before HELP and TYPE
      '# HELP x a\nx 1\n', // no TYPE
      '# TYPE x gauge\n# HELP x a\nx 1\n', // TYPE before HELP
      '# HELP x a\n# TYPE x gauge\nx{a="\\t"} 1\n', // an unknown escape
      '# HELP x a\n# TYPE x gauge\nx 1e\n', // not a number
      '# HELP x a\n# TYPE x gauge\n# HELP x b\n# TYPE x gauge\n', // twice
      '# HELP x a\n# TYPE x gauge\n# HELP y a\n# TYPE y gauge\nx 1\n', // out of its family
    ];
    for (const text of bad) {
      expect(() => {
        checkExposition(text);
      }, text).toThrow();
    }
  });
});
