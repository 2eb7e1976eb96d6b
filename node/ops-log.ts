// The node's operations log: what `undersigned node` writes to stdout and stderr about itself
// (how it started, what failed, how it stopped). Not to be confused with node/log/, the
// transparency log. Two formats (--log-format, docs/OPERATORS.md "Logs"):
//
//   text  lines for people, as the node has always printed them
//   json  one JSON object a line, {"time":"<ISO 8601>","level":"info|warn|error","msg":"…",…}
//         for journald, Loki, Vector…: the fields are flat and their names fixed
//
// Policy: nothing here is about a request: never a client's address, an entry or a key, never
// the time of one submission. Callers log the node's own settings, its errors, and its state.

/** The output formats. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogLevel = 'info' | 'warn' | 'error';

/** The fields of a line beside time, level and msg. */
export type LogFields = Readonly<
  Record<string, string | number | boolean | null | readonly string[]>
>;

/** A logger: one call, one line in json (a text line may hold several). */
export type OpsLog = {
  readonly format: LogFormat;
  /** Logs `msg` with `fields`; in text, `text` instead if given, else msg and the fields. */
  info(msg: string, fields?: LogFields, text?: string): void;
  warn(msg: string, fields?: LogFields, text?: string): void;
  error(msg: string, fields?: LogFields, text?: string): void;
};

export type OpsLogOptions = {
  readonly format: LogFormat;
  /** Writes one formatted line (ending in \n); the level says which stream (info: stdout). */
  readonly write: (line: string, level: LogLevel) => void;
  /** The clock (default: the system's). */
  readonly now?: () => Date;
};

const RESERVED = new Set(['time', 'level', 'msg']);

/** Whether `text` names a log format. */
export function isLogFormat(text: string): text is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(text);
}

/** A logger writing in `format`. Throws TypeError for a field named time, level or msg. */
export function createOpsLog(options: OpsLogOptions): OpsLog {
  const now = options.now ?? (() => new Date());
  const line = (level: LogLevel, msg: string, fields: LogFields = {}, text?: string): void => {
    for (const name of Object.keys(fields)) {
      if (RESERVED.has(name)) throw new TypeError(`log field "${name}" is reserved`);
    }
    if (options.format === 'json') {
      const record = { time: now().toISOString(), level, msg, ...fields };
      options.write(`${JSON.stringify(record)}\n`, level); // JSON escapes every line feed
      return;
    }
    options.write(`${text ?? `${msg}${formatFields(fields)}`}\n`, level);
  };
  return {
    format: options.format,
    info: (msg, fields, text) => {
      line('info', msg, fields, text);
    },
    warn: (msg, fields, text) => {
      line('warn', msg, fields, text);
    },
    error: (msg, fields, text) => {
      line('error', msg, fields, text);
    },
  };
}

/** ` key=value` pairs for a text line; lists joined by commas. */
function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .map(([k, v]) => ` ${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join('');
}
