import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The shared test vectors made with Go's golang.org/x/mod/sumdb (../shared/vectors). */
export const SHARED_VECTORS = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the file's shape
export function readSharedJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(SHARED_VECTORS, name), 'utf8')) as T;
}
