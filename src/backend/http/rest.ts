// The REST contract the http backend speaks and the sandbox serves, derived from the catalog:
// one route per operation and stage, the envelopes, and how arguments travel (path parameters,
// a query for GET, a JSON body otherwise). Nothing here knows an operation by name.
import { z } from 'zod';
import type { HttpMethod, Operation, Stage } from '../../catalog.js';
import { isGuarded, stagesOf } from '../../catalog.js';
import { ToolError } from '../../errors.js';

export const API_KEY_HEADER = 'x-api-key';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const STATE_DIGEST_HEADER = 'x-nox-state-digest';
export const PRINCIPAL_HEADER = 'x-nox-principal';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** The error code an apply gets when the previewed state changed; `meta.state` holds the new state. */
export const STATE_CHANGED = 'STATE_CHANGED';

export interface SuccessEnvelope {
  success: true;
  data: unknown;
  summary: string;
  meta: Record<string, unknown>;
}

export interface FailureEnvelope {
  success: false;
  error_code: string;
  summary: string;
  action?: { type: string; hint: string; url?: string };
  details?: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

export type Envelope = SuccessEnvelope | FailureEnvelope;

export interface RestRoute {
  op: Operation;
  stage: Stage;
  method: HttpMethod;
  /** With `:field` placeholders taken from the input. */
  path: string;
  params: string[];
  /** A write carries an Idempotency-Key (low-risk writes and applies). */
  write: boolean;
}

/**
 * Every route of the catalog. Reads and low-risk writes use the operation's own route; the stages
 * of a high-risk operation are POST `<path>/validate|preview|apply`. When two high-risk operations
 * share a path (say PATCH and DELETE on one record), the non-POST one's stages get the method as
 * an extra segment (`<path>/delete/preview`), so every route stays unique and derivable.
 */
export function restRoutes(ops: Operation[]): RestRoute[] {
  const stageKey = (op: Operation, stage: Stage) => `POST ${norm(op.route.path)}/${stage}`;
  const counts = new Map<string, number>();
  for (const op of ops.filter(isGuarded)) for (const st of stagesOf(op)) counts.set(stageKey(op, st), (counts.get(stageKey(op, st)) ?? 0) + 1);
  const routes: RestRoute[] = [];
  for (const op of ops) {
    if (!isGuarded(op)) {
      routes.push(make(op, 'run', op.route.method, op.route.path, op.kind !== 'read'));
      continue;
    }
    for (const st of stagesOf(op)) {
      const clash = (counts.get(stageKey(op, st)) ?? 0) > 1 && op.route.method !== 'POST';
      const path = `${op.route.path}${clash ? `/${op.route.method.toLowerCase()}` : ''}/${st}`;
      routes.push(make(op, st, 'POST', path, st === 'apply'));
    }
  }
  const seen = new Map<string, RestRoute>();
  for (const r of routes) {
    const key = `${r.method} ${norm(r.path)}`;
    const other = seen.get(key);
    if (other) throw new Error(`REST route ${key} is claimed by both ${other.op.name} (${other.stage}) and ${r.op.name} (${r.stage})`);
    seen.set(key, r);
  }
  return routes;
}

const norm = (path: string) => path.replace(/:[A-Za-z0-9_]+/g, ':');

function make(op: Operation, stage: Stage, method: HttpMethod, path: string, write: boolean): RestRoute {
  const params = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  return { op, stage, method, path, params, write };
}

/** Finds the route of a request; literal segments beat parameters. 'method' when only the method is wrong. */
export function matchRoute(routes: RestRoute[], method: string, pathname: string): { route: RestRoute; params: Record<string, string> } | 'method' | undefined {
  const segs = pathname.replace(/\/+$/, '').split('/');
  let best: { route: RestRoute; params: Record<string, string>; score: number } | undefined;
  let pathMatched = false;
  for (const route of routes) {
    const rsegs = route.path.split('/');
    if (rsegs.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    let ok = true;
    for (let i = 0; i < rsegs.length && ok; i++) {
      const r = rsegs[i]!;
      if (r.startsWith(':')) {
        if (!segs[i]) ok = false;
        else
          try {
            params[r.slice(1)] = decodeURIComponent(segs[i]!);
          } catch {
            ok = false;
          }
      } else if (r === segs[i]) score++;
      else ok = false;
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    if (!best || score > best.score) best = { route, params, score };
  }
  if (best) return { route: best.route, params: best.params };
  return pathMatched ? 'method' : undefined;
}

export interface EncodedRequest {
  method: HttpMethod;
  /** Path with the parameters filled in and the query appended. */
  path: string;
  body?: Record<string, unknown>;
}

/**
 * Why a value cannot travel as one path segment, or undefined when it can. A URL parser or any
 * proxy on the way resolves `.` and `..` (also as %2e) and splits on `/` and `\`, which turns the
 * value into another route (collection_id ".." made a batch apply reach collection.delete). Every
 * decoding is checked, so a layer that decodes once more finds nothing either.
 */
export function unsafeSegment(value: string): string | undefined {
  if (value === '') return 'is empty';
  let v = value;
  for (let i = 0; i < 8; i++) {
    const bare = v.replace(/[\t\n\r]/g, ''); // URL parsers drop these before resolving dots
    if (bare === '.' || bare === '..') return 'is a dot segment';
    if (/[/\\]/.test(v)) return 'contains a path separator';
    // Lenient byte-wise decoding, as a forgiving parser would do: an invalid escape elsewhere hides nothing.
    const next = v.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (next === v) return undefined;
    v = next;
  }
  return 'is percent-encoded too many times';
}

/**
 * How the http backend sends one call: parameters in the path, the rest as query (GET) or JSON body.
 * With the API's routes, the path must lead back to this route: an id spelled like a fixed word of
 * the API's paths ("labels", "archive") would otherwise reach another operation.
 */
export function encodeRequest(route: RestRoute, input: Record<string, unknown>, routes?: readonly RestRoute[]): EncodedRequest {
  const rest: Record<string, unknown> = { ...input };
  // The one place a path is built: each parameter is checked, then encoded as exactly one segment.
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const v = rest[name];
    delete rest[name];
    if (v === undefined || v === null || typeof v === 'object') throw new Error(`${route.op.name}: path parameter ${name} needs a scalar value`);
    const text = String(v);
    const why = unsafeSegment(text);
    if (why) {
      const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new ToolError('INVALID_REQUEST', `${name} ${JSON.stringify(shown)} ${why}, so it cannot be sent as an id; nothing was sent.`, {
        hint: `Pass ${name} exactly as a list, search or create tool returned it: ids are never '.', '..' and never contain '/' or '\\'.`,
        details: { issues: [{ field: name, message: why }] },
      });
    }
    return encodeURIComponent(text);
  });
  if (routes) refuseShadowedPath(routes, route, path);
  if (route.method !== 'GET') return { method: route.method, path, body: rest };
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    if (typeof v === 'string') q.append(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') q.append(k, String(v));
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) for (const x of v) q.append(k, String(x));
    else q.append(k, JSON.stringify(v)); // objects, empty or nested arrays, null: JSON text
  }
  const qs = q.toString();
  return { method: route.method, path: qs ? `${path}?${qs}` : path };
}

function refuseShadowedPath(routes: readonly RestRoute[], route: RestRoute, path: string): void {
  const reached = matchRoute(routes as RestRoute[], route.method, path);
  if (typeof reached === 'object' && reached.route === route) return;
  const fixed = route.path.split('/');
  const clash = path.split('/').findIndex((seg, i) => fixed[i]!.startsWith(':') && routes.some((r) => r.method === route.method && r.path.split('/')[i] === decodeURIComponent(seg)));
  const name = clash >= 0 ? fixed[clash]!.slice(1) : 'a path parameter';
  const value = clash >= 0 ? decodeURIComponent(path.split('/')[clash]!) : path;
  throw new ToolError('INVALID_REQUEST', `${name} ${JSON.stringify(value)} is spelled like a fixed word of the API's paths, so the request would reach another operation; nothing was sent.`, {
    hint: `Pass ${name} exactly as a list, search or create tool returned it; this backend cannot send an id equal to a word of its routes.`,
    details: { issues: [{ field: name, message: 'equals a fixed path word of the API' }] },
  });
}

/**
 * The raw input of a request as the sandbox receives it: path parameters plus the JSON body, or
 * plus the query, whose text values are turned back into the types the input schema expects.
 */
export function decodeRequest(route: RestRoute, params: Record<string, string>, query: URLSearchParams, body: unknown): Record<string, unknown> {
  const shape = route.op.input.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  if (route.method === 'GET') {
    for (const key of new Set(query.keys())) {
      const field = shape[key];
      const values = query.getAll(key);
      out[key] = field ? fromText(field, values) : values.length > 1 ? values : values[0];
    }
  } else if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(out, body);
  for (const [k, v] of Object.entries(params)) out[k] = shape[k] ? scalar(shape[k], v) : v;
  return out;
}

function fromText(field: z.ZodType, values: string[]): unknown {
  const element = arrayElement(field);
  if (!element) return scalar(field, values[values.length - 1]!);
  if (values.length === 1 && values[0]!.startsWith('[')) {
    const parsed = tryJson(values[0]!);
    if (parsed !== undefined && field.safeParse(parsed).success) return parsed;
  }
  return values.map((v) => scalar(element, v));
}

/** The text itself when the schema takes it, else its JSON reading when the schema takes that. */
function scalar(schema: z.ZodType, text: string): unknown {
  if (schema.safeParse(text).success) return text;
  const parsed = tryJson(text);
  return parsed !== undefined && schema.safeParse(parsed).success ? parsed : text;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function arrayElement(schema: z.ZodType): z.ZodType | undefined {
  let s = schema as unknown as { _zod: { def: { type: string; innerType?: unknown; in?: unknown; element?: unknown } } };
  for (let i = 0; i < 10; i++) {
    const def = s._zod.def;
    if (def.type === 'array') return def.element as z.ZodType;
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType as typeof s;
    else if (def.type === 'pipe' && def.in) s = def.in as typeof s;
    else return undefined;
  }
  return undefined;
}

/** HTTP status of an error envelope, by error code. */
export function statusOf(code: string): number {
  switch (code) {
    case 'INVALID_REQUEST':
    case 'PREVIEW_REQUIRED':
      return 400;
    case 'INVALID_API_KEY':
      return 401;
    case 'SCOPE_REQUIRED':
    case 'INSUFFICIENT_CREDIT':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'DUPLICATE_DATA':
    case 'ASYNC_NOT_READY':
    case STATE_CHANGED:
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'IDEMPOTENCY_IN_PROGRESS':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'INTERNAL_ERROR':
      return 500;
    default:
      return 422;
  }
}
