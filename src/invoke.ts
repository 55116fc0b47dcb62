// One tool call, from raw arguments to a structured result or a structured error: input checks,
// then the stage through the stage runner, with the guard around previews and applies and the
// idempotency records around every write (see guard/idempotency.ts). Transport-free: server.ts adapts it to MCP; the sandbox runs stages through the same runner.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { CallInfo, Operation, ToolSpec } from './catalog.js';
import { IDEMPOTENCY_KEY_FIELD, PREVIEW_TOKEN_FIELD } from './catalog.js';
import type { NoxBackend } from './backend/contract.js';
import type { Guard } from './guard/index.js';
import type { IdempotencyStore, Outcome } from './guard/idempotency.js';
import { issuesOf, ToolError, toEnvelope, type ErrorEnvelope } from './errors.js';
import { checkOutput, checkResult, stageRunner, type StageRunner } from './stages.js';
import { isStoreUnavailable, type OutcomeBatch, type ServerStore } from './state/contract.js';
import type { Logger } from './log.js';
import type { FilesRoot } from './files.js';
import { fileResourceUri, mimeTypeOf } from './file-names.js';
import type { ServerHandler } from './server-tools.js';

export interface Engine {
  backend: NoxBackend;
  guard: Guard;
  /** Outcomes of writes called with an idempotency_key. */
  idempotency: IdempotencyStore;
  /** The server's own state: ledger, idempotency records, journal (SQLite, or PostgreSQL shared by replicas). */
  store: ServerStore;
  log: Logger;
  now: () => Date;
  /** When the client cannot be asked, refuse confirm-worthy applies instead of proceeding on the token alone. */
  requireConfirmation: boolean;
  /** How long to wait for the person's answer to a confirmation before refusing (default 5 minutes). */
  confirmTimeoutMs?: number;
  /** Finds the campaign of touched ids when a change names none (from the embedded workspace). */
  campaignOfIds?: (ids: string[]) => string | undefined;
  /** This server's files root: written files are linked (resource_link) when they are inside it. */
  files?: FilesRoot;
  /** This server's own operations (src/server-tools.ts), run in this process instead of on the backend. */
  serverHandlers?: Map<string, ServerHandler>;
}

const runners = new WeakMap<Engine, StageRunner>();
/** The engine's stage runner, made once per engine. */
export function stagesOf(engine: Engine): StageRunner {
  let r = runners.get(engine);
  if (!r) runners.set(engine, (r = stageRunner(engine)));
  return r;
}

/**
 * 'unavailable': the client declares no (form) elicitation, so nobody can be asked.
 * 'failed': it does, but the dialog errored or was not answered in time.
 */
export type ConfirmAnswer = 'accept' | 'decline' | 'failed' | 'unavailable';

export interface CallHooks {
  principal: string;
  progress?: CallInfo['progress'];
  signal?: AbortSignal;
  /** Asks the person (MCP elicitation) to approve an apply; 'unavailable' when the client cannot be asked. */
  confirm?: (message: string) => Promise<ConfirmAnswer>;
  /** Where the caller finds the tool's input schema, for the hint of a refused input (tools/list by default). */
  schemaSource?: string;
}

/** A file a call wrote into the files root, for an MCP resource_link beside the result. */
export interface FileLink {
  uri: string;
  name: string;
  mimeType: string;
  size: number;
}

export type CallOutcome = { ok: true; structured: Record<string, unknown>; links: FileLink[] } | { ok: false; error: ErrorEnvelope };

export async function invokeTool(engine: Engine, spec: ToolSpec, rawArgs: unknown, hooks: CallHooks): Promise<CallOutcome> {
  const requestId = randomBytes(6).toString('hex');
  try {
    const parsed = spec.input.safeParse(rawArgs ?? {});
    if (!parsed.success) throw inputError(spec, parsed.error, hooks.schemaSource ?? 'the input schema is in tools/list');
    const structured = await runStage(engine, spec, parsed.data as Record<string, unknown>, hooks);
    return { ok: true, structured, links: linksOf(engine, spec, structured) };
  } catch (err) {
    if (!(err instanceof ToolError)) engine.log.error({ request_id: requestId, tool: spec.name, err: errText(err) }, 'tool call failed');
    else engine.log.debug({ request_id: requestId, tool: spec.name, error_code: err.code }, 'tool call refused');
    return { ok: false, error: toEnvelope(err, requestId) };
  }
}

async function runStage(engine: Engine, spec: ToolSpec, input: Record<string, unknown>, hooks: CallHooks): Promise<Record<string, unknown>> {
  const { op } = spec;
  const stages = stagesOf(engine);
  const call: CallInfo = { principal: hooks.principal, ...(hooks.progress ? { progress: hooks.progress } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) };
  switch (spec.stage) {
    case 'run': {
      // This server's own operations (files_stage, files_list) run here, after the same input checks.
      const own = engine.serverHandlers?.get(op.name);
      if (op.kind === 'read') return own ? checkOutput(op, op.output, await own.run(input, call)) : stages.run(op, input, call);
      return writeOnce(engine, op, input, call, async (args, writeCall, remember) => {
        if (own) {
          // No transaction to record in (the file is not in the store): the key's outcome is stored once the write is done.
          const out = { ...checkOutput(op, op.output, await own.run(args, writeCall)), replayed: false };
          if (remember) {
            const batch = engine.store.batch();
            remember(out, batch);
            await batch.commit();
          }
          return out;
        }
        const out = await stages.run(op, args, writeCall, remember ? (result, batch) => remember({ ...result, replayed: false }, batch) : undefined);
        return { ...out, replayed: false };
      });
    }
    case 'validate': {
      const problems = await stages.validate(op, input, call);
      return {
        operation: op.name,
        valid: problems.length === 0,
        problems,
        summary: problems.length === 0 ? 'The body is valid; preview it next with the same body.' : `${problems.length} problem(s) found; fix them before preview.`,
      };
    }
    case 'preview': {
      const reading = await stages.preview(op, input, call);
      const minted = await engine.guard.mint({ operation: op.name, args: input, principal: hooks.principal, target: engine.backend.target, state: reading.state, summary: reading.summary });
      return { operation: op.name, preview_token: minted.preview_token, expires_at: minted.expires_at, summary: reading.summary, effect: reading.effect };
    }
    case 'apply': {
      const { [PREVIEW_TOKEN_FIELD]: token, ...rest } = input;
      return writeOnce(engine, op, rest, call, async (args, applyCall, remember) => {
        const outcome = (tokenId: string, summary: string, result: Output, replayed: boolean) => ({ operation: op.name, applied: true, replayed, token_id: tokenId, summary, result });
        const applied = await engine.guard.apply(
          { operation: op.name, args, token: String(token), principal: hooks.principal, target: engine.backend.target },
          {
            ...(op.confirm ? { confirm: (summary: string) => confirm(engine, op, summary, hooks) } : {}),
            execute: (expect) =>
              stages.apply(op, args, applyCall, {
                ...expect,
                // The key's record first: if another call recorded it meanwhile, this apply rolls back unrecorded.
                record: (result, batch) => {
                  remember?.(outcome(expect.tokenId, expect.summary, result, false), batch);
                  expect.record(result);
                },
              }),
          },
        );
        return outcome(applied.token_id, applied.summary, checkResult(engine.backend, op, op.output, applied.result), applied.replayed);
      });
    }
  }
}

type Output = Record<string, unknown>;

/**
 * Runs a write at most once per idempotency_key: a stored outcome for the key is replayed (after
 * checking the arguments are the same ones), otherwise the write runs with the key on its CallInfo
 * and `remember` stores its outcome from inside the write's transaction. The arguments compared
 * are the write's own: never the key, never an apply's preview_token (an agent that lost an
 * outcome may preview again and reuse its key; the stored outcome answers).
 */
async function writeOnce(
  engine: Engine,
  op: Operation,
  input: Output,
  call: CallInfo,
  execute: (args: Output, call: CallInfo, remember: ((outcome: Outcome, batch: OutcomeBatch) => void) | undefined) => Promise<Output>,
): Promise<Output> {
  const { [IDEMPOTENCY_KEY_FIELD]: key, ...args } = input;
  if (typeof key !== 'string') return execute(args, call, undefined);
  const scope = { principal: call.principal, operation: op.name, key };
  const replay = (stored: Outcome) => ({ ...stored, replayed: true });
  const stored = await engine.idempotency.lookup(scope, args);
  if (stored) return replay(stored);
  try {
    return await execute(args, { ...call, idempotencyKey: key }, (outcome, batch) => engine.idempotency.record(batch, scope, args, outcome));
  } catch (err) {
    // A concurrent call with this key may have committed first (this one rolled back, or was refused
    // because of that call's write): its outcome is this key's outcome. An unreachable store leaves the error as it is.
    const meanwhile = await engine.idempotency.lookup(scope, args).catch((e: unknown) => {
      if (isStoreUnavailable(e)) return undefined;
      throw e;
    });
    if (meanwhile) return replay(meanwhile);
    throw err;
  }
}

/** Only an explicit accept proceeds; the switch decides only when the client cannot ask at all. */
async function confirm(engine: Engine, op: Operation, summary: string, hooks: CallHooks): Promise<void> {
  let answer: ConfirmAnswer;
  try {
    answer = hooks.confirm ? await hooks.confirm(`${op.title}: ${summary}\n\nApply this now?`) : 'unavailable';
  } catch {
    answer = 'failed';
  }
  if (answer === 'accept') return;
  if (answer === 'decline') {
    throw new ToolError('CONFIRMATION_DECLINED', 'The person declined or cancelled this apply; nothing was changed.', {
      hint: 'Ask the person what to change, preview again, and apply only after they approve.',
      actionType: 'ask_user',
    });
  }
  if (answer === 'failed') {
    throw new ToolError('CONFIRMATION_UNAVAILABLE', 'The person could not be asked to confirm this apply (the confirmation dialog failed or was not answered in time); nothing was changed.', {
      hint: 'Apply again with the same preview_token when the person can answer; it stays valid until it expires.',
      actionType: 'ask_user',
    });
  }
  if (engine.requireConfirmation) {
    throw new ToolError('CONFIRMATION_UNAVAILABLE', 'This server requires a person to confirm this apply, and the client cannot ask them (no elicitation support).', {
      hint: 'Use a client that supports MCP elicitation, or have the operator run the server without the confirmation requirement.',
      actionType: 'ask_user',
    });
  }
}

function inputError(spec: ToolSpec, error: z.ZodError, schemaSource: string): ToolError {
  const issues = issuesOf(error, '(arguments)');
  const missingToken = spec.stage === 'apply' && issues.some((i) => i.field === PREVIEW_TOKEN_FIELD);
  if (missingToken) {
    return new ToolError('PREVIEW_REQUIRED', `${spec.name} needs a preview_token from ${spec.name.replace(/_apply$/, '_preview')} for exactly these arguments.`, {
      hint: `Call ${spec.name.replace(/_apply$/, '_preview')} first, show the person its effect, then apply with its preview_token.`,
      actionType: 'preview_first',
      details: { issues },
    });
  }
  return new ToolError('INVALID_REQUEST', `Invalid arguments for ${spec.name}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
    hint: `Fix the fields named in details.issues; ${schemaSource}.`,
    details: { issues },
  });
}

/**
 * The file a call wrote, when its result names one in this server's files root: an operation that
 * takes output_path (downloads, exports, templates) or a server operation that writes a file says
 * where in its result's `path`. A file written elsewhere (an upstream API's own files root) is not
 * linked: resources/read could not serve it.
 */
function linksOf(engine: Engine, spec: ToolSpec, structured: Record<string, unknown>): FileLink[] {
  if (!engine.files || (spec.stage !== 'run' && spec.stage !== 'apply')) return [];
  const writes = 'output_path' in spec.op.input.shape || engine.serverHandlers?.get(spec.op.name)?.writesFile === true;
  const result = (spec.stage === 'apply' ? structured.result : structured) as Record<string, unknown> | undefined;
  if (!writes || typeof result?.path !== 'string') return [];
  try {
    const file = engine.files.stat(result.path);
    return [{ uri: fileResourceUri(file.path), name: file.path.split('/').pop()!, mimeType: mimeTypeOf(file.path), size: file.bytes }];
  } catch {
    return [];
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
