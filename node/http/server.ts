// A node:http server for the mirror's routes, with timeouts that bound what a slow client can
// hold, and a stop that waits for the answers in flight.

import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';

/** Where to listen: a host name or address, and a port (0 for any free one). */
export type ListenAddress = { readonly host: string; readonly port: number };

/** A listening server. */
export type HttpServer = {
  /** The base URL, with the port actually bound, ending in "/". */
  readonly url: string;
  /** Stops listening, lets answers in flight finish (at most `graceMs`), then closes all. */
  close(graceMs?: number): Promise<void>;
};

/** Starts listening. Rejects if the address cannot be bound (EADDRINUSE, EACCES…). */
export async function startHttpServer(
  address: ListenAddress,
  listener: RequestListener
): Promise<HttpServer> {
  const server = createServer(
    {
      requestTimeout: 60_000, // a submission waits for its batch: seconds, not minutes
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
    listener
  );
  server.listen(address.port, address.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([e]) => Promise.reject(e as Error)),
  ]);
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}/`,
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        server.closeAllConnections();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Parses `HOST:PORT` or `[IPV6]:PORT`. Returns undefined if it is not of that form. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(0|[1-9][0-9]{0,4})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}
