// Canonical JSON (RFC 8785 style: object keys sorted at every depth, no insignificant space),
// the digest that binds a preview to its arguments, and a field-level diff used to say which
// arguments or which state changed.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  // No prototype: a "__proto__" member is data and must be kept, not turned into a prototype.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = normalize(v);
  }
  return out;
}

export function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** Paths (a.b[2].c) at which two JSON values differ; at most `limit` of them. */
export function diffPaths(a: unknown, b: unknown, limit = 20, prefix = ''): string[] {
  const out: string[] = [];
  walk(a, b, prefix, out, limit);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    if (canonicalJson(a) !== canonicalJson(b)) out.push(path || '(root)');
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n && out.length < limit; i++) walk(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  for (const k of keys) {
    if (out.length >= limit) return;
    walk(own(ao, k), own(bo, k), path ? `${path}.${k}` : k, out, limit);
  }
}

/** An own member only (never an inherited one such as Object.prototype for "__proto__"). */
function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}
