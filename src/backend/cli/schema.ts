// What the installed NoxInfluencer CLI says about itself, and how one operation's call becomes one
// CLI invocation. Every argument placed on a command line comes from the CLI's own `schema --all`
// (its positional arguments, its options, or `--body-file -` with a JSON body on stdin); a field
// the schema gives no place to makes the operation unmapped. No flag is ever guessed, except the
// conventions NoxInfluencer documents for every mutation (`--force`, `--idempotency-key`).
import type { Operation, Stage } from '../../catalog.js';
import { cliBindingOf, stagesOf } from '../../catalog.js';
import { ToolError } from '../../errors.js';

/** One command of `schema --all`, in the documented per-command shape. */
export interface CliCommand {
  command: string;
  /** Positional arguments, in order. */
  arguments: { name: string; required: boolean; variadic: boolean }[];
  /** Options by the field name they carry (`--store-id` carries `store_id`). */
  options: Map<string, { flag: string; required: boolean }>;
  mutation: boolean;
  bodyFile: boolean;
  /** The body's properties when the body schema is closed (additionalProperties: false); undefined when open. */
  bodyFields?: Set<string>;
  /** The body schema requires or allows `idempotency_key`: writes carry their key in the body. */
  bodyIdempotencyKey: boolean;
}

/** Reads `schema --all` (a list, or an object with `commands`), keeping commands it can understand. */
export function parseSchema(text: string): Map<string, CliCommand> {
  const parsed = JSON.parse(text) as unknown;
  const list = Array.isArray(parsed) ? parsed : ((parsed as { commands?: unknown })?.commands ?? (parsed as { data?: { commands?: unknown } })?.data?.commands);
  if (!Array.isArray(list)) throw new Error('schema --all printed no command list');
  const out = new Map<string, CliCommand>();
  for (const raw of list as Record<string, unknown>[]) {
    if (!raw || typeof raw.command !== 'string') continue;
    const options = new Map<string, { flag: string; required: boolean }>();
    // The documented shape names them required_options, each with its own `required`; `options` is read too.
    for (const o of [...asArray(raw.required_options), ...asArray(raw.options)] as { flag?: unknown; required?: unknown }[]) {
      if (typeof o?.flag !== 'string' || !/^--[a-z0-9][a-z0-9_-]*$/i.test(o.flag)) continue;
      options.set(fieldOfFlag(o.flag), { flag: o.flag, required: o.required === true });
    }
    const body = raw.body_schema as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
    const props = body && typeof body.properties === 'object' && body.properties ? Object.keys(body.properties) : undefined;
    out.set(raw.command.trim(), {
      command: raw.command.trim(),
      arguments: (asArray(raw.arguments) as { name?: unknown; required?: unknown; variadic?: unknown }[])
        .filter((a) => typeof a?.name === 'string')
        .map((a) => ({ name: String(a.name), required: a.required === true, variadic: a.variadic === true })),
      options,
      mutation: raw.mutation === true,
      bodyFile: raw.supports_body_file === true || options.has('body_file'),
      ...(props && body?.additionalProperties === false ? { bodyFields: new Set(props) } : {}),
      bodyIdempotencyKey: !!props?.includes('idempotency_key'),
    });
  }
  return out;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const fieldOfFlag = (flag: string) => flag.replace(/^--/, '').replace(/-/g, '_');

/** Exit codes the CLI lists as retryable (`agent exit-codes`); an unreadable catalog retries nothing. */
export function parseExitCodes(text: string): { retryable: Set<number>; names: Map<number, string> } {
  const retryable = new Set<number>();
  const names = new Map<number, string>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { retryable, names };
  }
  const p = parsed as Record<string, unknown>;
  const list = Array.isArray(parsed) ? parsed : (p?.exit_codes ?? p?.codes ?? (p?.data as Record<string, unknown> | undefined)?.exit_codes ?? p?.data);
  for (const e of asArray(list) as { code?: unknown; name?: unknown; retryable?: unknown }[]) {
    if (typeof e?.code !== 'number') continue;
    if (typeof e.name === 'string') names.set(e.code, e.name);
    if (e.retryable === true) retryable.add(e.code);
  }
  return { retryable, names };
}

/** The first x.y.z in `--version` output. */
export function parseVersion(text: string): string | undefined {
  return /(\d+)\.(\d+)\.(\d+)/.exec(text)?.[0];
}

export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Operations → commands

/** The CLI sub-stage of a staged family's stage; other operations run their command itself. */
const STAGE_WORD: Partial<Record<Stage, string>> = { validate: 'validate', preview: 'preview', apply: 'apply' };

/** Every command an operation may run (one per selector value and stage). */
export function commandsOf(op: Operation): string[] {
  const binding = cliBindingOf(op);
  const bases = typeof binding === 'string' ? [binding] : Object.values(binding.commands);
  if (op.kind !== 'staged') return bases;
  return bases.flatMap((b) => stagesOf(op).map((s) => `${b} ${STAGE_WORD[s]}`));
}

/** The fields of a file input, which travel as `--file` (a download's `output_path` travels as `--output`). */
const FILE_IN = ['path', 'content_base64', 'filename'];

/** Why an operation cannot run on this CLI (a missing command, a field with no place), or undefined when it maps. */
export function unmappedReason(op: Operation, commands: Map<string, CliCommand>): string | undefined {
  const binding = cliBindingOf(op);
  const selector = typeof binding === 'string' ? undefined : binding.by;
  for (const name of commandsOf(op)) {
    const cmd = commands.get(name);
    if (!cmd) return `the CLI has no \`${name}\``;
    for (const field of Object.keys(op.input.shape)) {
      if (field === selector) continue;
      if (!placeOf(cmd, field)) return `\`${name}\` has no argument, option or body field for ${field}`;
    }
  }
  return undefined;
}

type Place = 'argument' | 'option' | 'body' | 'file' | 'output';

function placeOf(cmd: CliCommand, field: string): Place | undefined {
  if (cmd.arguments.some((a) => a.name === field)) return 'argument';
  if (FILE_IN.includes(field) && cmd.options.has('file')) return 'file';
  if (field === 'output_path' && cmd.options.has('output')) return 'output';
  if (field === 'overwrite' && cmd.options.has('output')) return cmd.options.has('overwrite') ? 'output' : undefined;
  if (cmd.options.has(field) && field !== 'body_file' && field !== 'file' && field !== 'output') return 'option';
  if (cmd.bodyFile && (!cmd.bodyFields || cmd.bodyFields.has(field))) return 'body';
  return undefined;
}

export interface Invocation {
  command: string;
  argv: string[];
  /** JSON body sent on stdin with `--body-file -`. */
  stdin?: string;
  mutation: boolean;
}

export interface FileAccess {
  /** The absolute path of an existing input file inside the files root. */
  input(input: Record<string, unknown>): string;
  /** The absolute path a download may be written to inside the files root. */
  output(path: string, overwrite: boolean): string;
}

/**
 * The invocation of one stage of an operation. `force` executes a mutation (without it the CLI
 * dry-runs); `idempotencyKey` goes in the body where the body schema has one, else as the
 * documented `--idempotency-key` option.
 */
export function buildInvocation(
  op: Operation,
  stage: Stage,
  input: Record<string, unknown>,
  commands: Map<string, CliCommand>,
  files: FileAccess,
  w: { force: boolean; idempotencyKey?: string },
): Invocation {
  const binding = cliBindingOf(op);
  let base: string;
  const fields = { ...input };
  if (typeof binding === 'string') base = binding;
  else {
    const choice = fields[binding.by];
    delete fields[binding.by];
    base = binding.commands[String(choice)] ?? '';
    if (!base) throw new ToolError('INVALID_REQUEST', `${binding.by} must be one of ${Object.keys(binding.commands).join(', ')}.`, { hint: `Pass ${binding.by} as the input schema lists it.` });
  }
  const name = op.kind === 'staged' ? `${base} ${STAGE_WORD[stage]}` : base;
  const cmd = commands.get(name);
  if (!cmd)
    throw new ToolError('TOOL_DISABLED', `The installed noxinfluencer CLI has no \`${name}\` command.`, {
      hint: 'Update the CLI (npm install -g @noxinfluencer/cli) and run `nox-campaign-mcp doctor`.',
      actionType: 'update_cli',
    });

  const positional: string[] = [];
  let firstPositional: string | undefined;
  const options: string[] = [];
  const body: Record<string, unknown> = {};
  for (const a of cmd.arguments) {
    const v = fields[a.name];
    delete fields[a.name];
    if (v === undefined) {
      if (a.required) throw new ToolError('INVALID_REQUEST', `${a.name} is required by \`${name}\`.`, { hint: `Pass ${a.name}.` });
      continue;
    }
    if (a.variadic && Array.isArray(v)) positional.push(...v.map((x) => scalarText(a.name, x)));
    else positional.push(scalarText(a.name, v));
    if (positional.length > 0) firstPositional ??= a.name;
  }
  // A CLI dispatches to the longest command its words spell: a first positional equal to a
  // subcommand's word ("email recipients add" for task_id "add") would run another command.
  const spelled = positional.length > 0 ? `${name} ${positional[0]}` : undefined;
  if (spelled && [...commands.keys()].some((c) => c === spelled || c.startsWith(`${spelled} `))) {
    const field = firstPositional!;
    throw new ToolError('INVALID_REQUEST', `${field} ${JSON.stringify(positional[0])} is spelled like a subcommand of \`${name}\`, so the CLI would run \`${spelled}\`; nothing was run.`, {
      hint: `Pass ${field} exactly as a list or search tool returned it; this backend cannot send an id equal to a command word.`,
      details: { issues: [{ field, message: 'equals a subcommand word of the CLI' }] },
    });
  }
  let fileDone = false;
  for (const [field, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const place = placeOf(cmd, field);
    if (place === 'file') {
      if (!fileDone) options.push(cmd.options.get('file')!.flag, files.input(input));
      fileDone = true;
    } else if (place === 'output') {
      if (field === 'output_path') options.push(cmd.options.get('output')!.flag, files.output(String(v), input.overwrite === true));
      else if (v === true) options.push(cmd.options.get('overwrite')!.flag);
    } else if (place === 'option') {
      // Every value is explicit, booleans too (`--has_email false`): a false is never dropped into a default.
      options.push(cmd.options.get(field)!.flag, scalarText(field, v));
    } else if (place === 'body') body[field] = v;
    else
      throw new ToolError('INVALID_REQUEST', `\`${name}\` of the installed CLI takes no ${field}.`, {
        hint: `Leave ${field} out, or update the CLI.`,
        details: { issues: [{ field, message: 'not accepted by the installed CLI' }] },
      });
  }
  const mutation = cmd.mutation;
  const tail: string[] = [];
  if (mutation && w.idempotencyKey) {
    if (cmd.bodyFile && cmd.bodyIdempotencyKey) body.idempotency_key = w.idempotencyKey;
    else tail.push('--idempotency-key', w.idempotencyKey);
  }
  if (mutation && w.force) tail.push('--force');
  const useBody = cmd.bodyFile && (Object.keys(body).length > 0 || cmd.options.get('body_file')?.required === true || (cmd.bodyFields !== undefined && cmd.options.size === 0));
  const argv = [...name.split(' '), ...positional, ...options, ...(useBody ? ['--body-file', '-'] : []), ...tail];
  return { command: name, argv, ...(useBody ? { stdin: JSON.stringify(body) } : {}), mutation };
}

function scalarText(field: string, v: unknown): string {
  if (typeof v === 'string') {
    // Spawned without a shell, a value is one literal argument; one starting with a dash could still read as an option.
    if (v.startsWith('-'))
      throw new ToolError('INVALID_REQUEST', `${field} starts with "-", which the CLI would read as an option; nothing was run.`, {
        hint: `Pass ${field} exactly as a list or search tool returned it.`,
        details: { issues: [{ field, message: 'starts with a dash' }] },
      });
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ToolError('INVALID_REQUEST', `${field} is a list or object, and the installed CLI takes it only as a single value.`, { hint: `Pass one ${field}, or update the CLI.` });
}
