// Types of parse-prometheus-text-format (a JavaScript port of prom2json's parser of the
// Prometheus text format), which ships none.

declare module 'parse-prometheus-text-format' {
  /** One sample: its value as written, and its labels if it has any. */
  export type ParsedSample = {
    readonly value: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly timestamp_ms?: string;
  };
  /** One metric family; `type` is upper-case (COUNTER, GAUGE, UNTYPED…). */
  export type ParsedFamily = {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: readonly ParsedSample[];
  };
  /** Parses exposition text; throws InvalidLineError on a line it cannot read. */
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
