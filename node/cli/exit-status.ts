// The exit statuses of the undersigned command, by error code (cli.ts; `node --log-format
// json` too, which logs the error that stopped it itself).

import type { ErrorCode } from '../../core/errors.ts';

/** Exit statuses: 2 usage, 3 invalid or unverifiable data, 4 cannot read or reach, 1 other. */
export function exitStatus(code: ErrorCode): number {
  switch (code) {
    case 'NOT_FOUND':
    case 'FETCH_FAILED':
      return 4;
    case 'BAD_CONFIG':
    case 'BAD_REQUEST':
      return 2;
    default:
      return 3;
  }
}
