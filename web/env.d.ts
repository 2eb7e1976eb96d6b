// Types of what Vite resolves at build time: CSS imports, `new URL(…, import.meta.url)` workers.
/// <reference types="vite/client" />
