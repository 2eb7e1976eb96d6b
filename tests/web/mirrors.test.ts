import { describe, expect, it } from 'vitest';
import {
  chooseMirrors,
  letterFromFragment,
  loadSavedMirrors,
  mirrorsFromFragment,
  normalizeMirrorUrl,
  pageMirror,
  saveMirrors,
} from '../../web/lib/mirrors.ts';
import { memoryStore } from '../../web/lib/checkpoint-memory.ts';

describe('the mirror list', () => {
  it('normalizes mirror URLs to http(s) bases ending in a slash, and refuses the rest', () => {
    expect(normalizeMirrorUrl(' https://m.example/undersigned ')).toBe(
      'https://m.example/undersigned/'
    );
    expect(normalizeMirrorUrl('http://127.0.0.1:8470')).toBe('http://127.0.0.1:8470/');
    expect(normalizeMirrorUrl('https://m.example/?q=1#x')).toBe('https://m.example/');
    for (const bad of [
      'javascript:alert(1)',
      'ftp://m.example/',
      'https://user:pw@m.example/',
      'not a url',
      '',
    ]) {
      expect(normalizeMirrorUrl(bad)).toBeUndefined();
    }
  });

  it('reads mirrors and a pinned letter from the URL fragment', () => {
    const hash = `#mirrors=${encodeURIComponent('https://a.example,http://b.example:1/x')}&letter=${'A'.repeat(64)}`;
    expect(mirrorsFromFragment(hash)).toEqual(['https://a.example/', 'http://b.example:1/x/']);
    expect(letterFromFragment(hash)).toBe('a'.repeat(64));
    expect(letterFromFragment('#letter=123')).toBeUndefined();
  });

  it('prefers the fragment, then the saved list, then the node that served the page', () => {
    const page = pageMirror({ protocol: 'http:', href: 'http://node.example:8470/index.html' });
    expect(page).toBe('http://node.example:8470/');
    expect(chooseMirrors('', undefined, page)).toEqual([page]);
    expect(chooseMirrors('', ['https://s.example/'], page)).toEqual(['https://s.example/']);
    expect(chooseMirrors('#mirrors=https://f.example', ['https://s.example/'], page)).toEqual([
      'https://f.example/',
    ]);
    expect(pageMirror({ protocol: 'file:', href: 'file:///x/index.html' })).toBeUndefined();
  });

  it('saves and loads the user list, ignoring junk', () => {
    const store = memoryStore();
    expect(loadSavedMirrors(store)).toBeUndefined();
    saveMirrors(store, ['https://a.example', 'bad', 'https://a.example/']);
    expect(loadSavedMirrors(store)).toEqual(['https://a.example/']);
    store.setItem('undersigned/mirrors', '{"not": "a list"}');
    expect(loadSavedMirrors(store)).toBeUndefined();
  });
});
