#!/usr/bin/env node
// The undersigned executable. It turns on Node's compile cache first (node:module, Node >= 22.1),
// so that every start after the first skips stripping the types of and compiling each module it
// loads (`undersigned --help` here: 0.46 s, then 0.26 s), and only then loads the CLI (cli.ts).
// The cache holds compiled code only, in NODE_COMPILE_CACHE or the system's temporary directory.

import { enableCompileCache } from 'node:module';

enableCompileCache();
const { run } = await import('./cli.ts');
await run();
