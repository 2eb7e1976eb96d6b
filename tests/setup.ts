import { expect } from 'vitest';
import fc from 'fast-check';
import { isUndersignedError, type ErrorCode } from '../core/errors.ts';

// Property tests run a fixed number of times in CI and print their seed on failure.
fc.configureGlobal({ numRuns: process.env['CI'] ? 200 : 100 });

expect.extend({
  toThrowCode(received: unknown, code: ErrorCode) {
    if (typeof received !== 'function') {
      return { pass: false, message: () => 'toThrowCode expects a function' };
    }
    try {
      (received as () => unknown)();
    } catch (e) {
      const pass = isUndersignedError(e, code);
      return {
        pass,
        message: () =>
          pass
            ? `expected not to throw ${code}`
            : `expected UndersignedError ${code}, got ${e instanceof Error ? `${e.name}: ${(e as { code?: string }).code ?? ''} ${e.message}` : String(e)}`,
      };
    }
    return { pass: false, message: () => `expected UndersignedError ${code}, nothing was thrown` };
  },
  async toRejectWithCode(received: unknown, code: ErrorCode) {
    try {
      await (received as Promise<unknown>);
    } catch (e) {
      const pass = isUndersignedError(e, code);
      return {
        pass,
        message: () =>
          pass
            ? `expected not to reject with ${code}`
            : `expected rejection ${code}, got ${String(e)}`,
      };
    }
    return { pass: false, message: () => `expected rejection ${code}, it resolved` };
  },
});

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- must match Vitest's declaration
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    toThrowCode(code: ErrorCode): R;
    toRejectWithCode(code: ErrorCode): Promise<void>;
  }
}
