// Canonical JSON, its digest and the field-level diff that names what differs.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, diffPaths, digest } from '../../src/guard/canonical.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth, including inside arrays', () => {
    const v = { b: 1, a: { d: [{ z: 1, y: { q: 2, p: 3 } }], c: null } };
    expect(canonicalJson(v)).toBe('{"a":{"c":null,"d":[{"y":{"p":3,"q":2},"z":1}]},"b":1}');
  });

  it('gives the same text for the same value built in another key order', () => {
    const a = { x: { m: 1, n: [1, { s: 't', r: 'u' }] }, w: 'v' };
    const b = { w: 'v', x: { n: [1, { r: 'u', s: 't' }], m: 1 } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(digest(a)).toBe(digest(b));
  });

  it('has no insignificant white space', () => {
    expect(canonicalJson({ a: [1, 2], b: { c: 'd e' } })).toBe('{"a":[1,2],"b":{"c":"d e"}}');
  });

  it('drops undefined object members at every depth and turns undefined array slots into null', () => {
    expect(canonicalJson({ a: undefined, b: 1, c: { d: undefined, e: 2 } })).toBe('{"b":1,"c":{"e":2}}');
    expect(canonicalJson([1, undefined, 3])).toBe('[1,null,3]');
    expect(digest({ a: 1, b: undefined })).toBe(digest({ a: 1 }));
  });

  it('writes non-finite numbers as null', () => {
    expect(canonicalJson({ a: Number.NaN, b: Infinity, c: -Infinity })).toBe('{"a":null,"b":null,"c":null}');
  });

  it('does not sort arrays: element order matters', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(digest([1, 2])).not.toBe(digest([2, 1]));
  });

  it('keeps a "__proto__" member like any other key (it is data in JSON)', () => {
    const a = JSON.parse('{"__proto__":{"x":1},"y":1}') as unknown;
    const b = JSON.parse('{"__proto__":{"x":2},"y":1}') as unknown;
    expect(canonicalJson(a)).toBe('{"__proto__":{"x":1},"y":1}');
    expect(digest(a)).not.toBe(digest(b));
    expect(canonicalJson(JSON.parse('{"__proto__":5}'))).toBe('{"__proto__":5}');
  });
});

describe('digest', () => {
  it('is the sha256 hex of the canonical JSON and stable across calls', () => {
    const v = { b: [1, 'x', { d: true }], a: null };
    const expected = createHash('sha256').update('{"a":null,"b":[1,"x",{"d":true}]}').digest('hex');
    expect(digest(v)).toBe(expected);
    expect(digest(v)).toBe(digest(structuredClone(v)));
    expect(digest(v)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any value change', () => {
    const base = { a: { b: [1, 2, 3] }, c: 'x' };
    expect(digest({ a: { b: [1, 2, 4] }, c: 'x' })).not.toBe(digest(base));
    expect(digest({ a: { b: [1, 2, 3] }, c: 'y' })).not.toBe(digest(base));
    expect(digest({ a: { b: [1, 2, 3] }, c: 'x', d: null })).not.toBe(digest(base));
    expect(digest({ a: { b: ['1', 2, 3] }, c: 'x' })).not.toBe(digest(base));
  });
});

describe('diffPaths', () => {
  it('is empty for equal values, whatever the key order', () => {
    expect(diffPaths({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('names nested object paths with dots', () => {
    expect(diffPaths({ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } })).toEqual(['a.b.c']);
  });

  it('names array indexes with brackets', () => {
    expect(diffPaths({ list: [1, 2, 3] }, { list: [1, 9, 3] })).toEqual(['list[1]']);
    expect(diffPaths({ rows: [{ id: 1 }, { id: 2 }] }, { rows: [{ id: 1 }, { id: 3 }] })).toEqual(['rows[1].id']);
    expect(diffPaths([[1, [2, 3]]], [[1, [2, 4]]])).toEqual(['[0][1][1]']);
  });

  it('names added, removed and lengthened members', () => {
    expect(diffPaths({ a: 1 }, { a: 1, b: 2 })).toEqual(['b']);
    expect(diffPaths({ a: 1, b: 2 }, { a: 1 })).toEqual(['b']);
    expect(diffPaths({ ids: ['x', 'y'] }, { ids: ['x', 'y', 'z'] })).toEqual(['ids[2]']);
  });

  it('names a member whose type changed, not its insides', () => {
    expect(diffPaths({ a: { b: 1 } }, { a: [1] })).toEqual(['a']);
    expect(diffPaths({ a: { b: 1 } }, { a: 'x' })).toEqual(['a']);
    expect(diffPaths({ a: null }, { a: {} })).toEqual(['a']);
  });

  it('lists several differences in key order and honours the limit and prefix', () => {
    expect(diffPaths({ b: 1, a: 1, c: 1 }, { b: 2, a: 2, c: 2 })).toEqual(['a', 'b', 'c']);
    expect(diffPaths({ b: 1, a: 1, c: 1 }, { b: 2, a: 2, c: 2 }, 2)).toEqual(['a', 'b']);
    expect(diffPaths({ x: 1 }, { x: 2 }, 5, 'state')).toEqual(['state.x']);
    expect(diffPaths(1, 2)).toEqual(['(root)']);
  });

  it('names a "__proto__" member present on one side only', () => {
    expect(diffPaths({}, JSON.parse('{"__proto__":{}}'))).toEqual(['__proto__']);
    expect(diffPaths(JSON.parse('{"__proto__":{"x":1}}'), JSON.parse('{"__proto__":{"x":2}}'))).toEqual(['__proto__.x']);
  });
});
