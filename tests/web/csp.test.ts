import { describe, expect, it } from 'vitest';
import { connectSources, lockConnections, mirrorPolicy } from '../../web/lib/csp.ts';

describe('the run-time Content-Security-Policy', () => {
  it('allows connections to exactly the mirrors in use', () => {
    expect(mirrorPolicy(['https://a.example', 'http://127.0.0.1:8470', 'https://a.example'])).toBe(
      'connect-src https://a.example http://127.0.0.1:8470'
    );
  });

  it('allows no connection at all without mirrors, and drops anything that is not an origin', () => {
    expect(connectSources([])).toBe("'none'");
    expect(connectSources(["https://a.example; script-src 'unsafe-inline'", 'javascript:x'])).toBe(
      "'none'"
    );
  });

  it('with live updates on, also allows WebSockets to the mirrors’ hosts, and to no other', () => {
    expect(
      mirrorPolicy(['https://a.example', 'http://127.0.0.1:8470', 'http://127.0.0.1:8471'], true)
    ).toBe(
      'connect-src https://a.example http://127.0.0.1:8470 http://127.0.0.1:8471 wss://a.example:* ws://127.0.0.1:*'
    );
    expect(mirrorPolicy(['http://[::1]:8470'], true)).toBe('connect-src http://[::1]:8470');
  });

  it('adds its policy to the head of the document', () => {
    lockConnections(document, ['https://a.example']);
    const meta = document.head.querySelector('meta[http-equiv="Content-Security-Policy"]');
    expect(meta?.getAttribute('content')).toBe('connect-src https://a.example');
  });
});
