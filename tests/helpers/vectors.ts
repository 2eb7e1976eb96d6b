import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The shared test vectors made with Go's golang.org/x/mod/sumdb (../shared/vectors). */
export const SHARED_VECTORS = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

export function readSharedJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(SHARED_VECTORS, name), 'utf8')) as T;
}
