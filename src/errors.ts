// One error type for every refusal a tool can give. It carries the public error envelope of the
// Nox API (error_code, summary, action) so tool results and REST responses share one shape.

/** The codes this server gives. A code relayed from upstream keeps its text (see UpstreamCode). */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'NOT_FOUND'
  | 'DUPLICATE_DATA'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'FILE_REFUSED'
  | 'ASYNC_NOT_READY'
  | 'INVALID_API_KEY'
  | 'INSUFFICIENT_CREDIT'
  | 'RATE_LIMITED'
  | 'SCOPE_REQUIRED'
  | 'TOOL_DISABLED'
  | 'CONFIRMATION_DECLINED'
  | 'CONFIRMATION_UNAVAILABLE'
  | 'PREVIEW_REQUIRED'
  | 'PREVIEW_INVALID'
  | 'PREVIEW_EXPIRED'
  | 'PREVIEW_MISMATCH'
  | 'PREVIEW_STALE'
  | 'APPLY_IN_PROGRESS'
  | 'APPLY_OUTCOME_UNKNOWN'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'BACKEND_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'AUTH_REQUIRED'
  | 'UNKNOWN_TOOL'
  | 'USE_CALL_READ'
  | 'USE_CALL_WRITE'
  | 'USE_CALL_APPLY'
  | 'INTERNAL_ERROR'
  | `UPSTREAM_${number}`
  | UpstreamCode;

/** What the agent should do next; an upstream action type is relayed as it came (UpstreamCode). */
export type ActionType =
  | 'fix_request'
  | 'fix_path'
  | 'fix_credentials'
  | 'look_up_id'
  | 'preview_first'
  | 'preview_again'
  | 'read_state'
  | 'retry_later'
  | 'retry_or_report'
  | 'ask_user'
  | 'list_tools'
  | 'choose_output'
  | 'authorize_in_saas'
  | 'login'
  | 'install_cli'
  | 'update_cli'
  | 'use_other_tool'
  | 'find_tool'
  | UpstreamCode;

/**
 * A code or action type that came from an upstream envelope: passed through unchanged. Branded so
 * that only ToolError.fromEnvelope makes one and a misspelt code of our own fails the type-check.
 */
export type UpstreamCode = string & { readonly relayedFromUpstream: true };

export interface ErrorAction {
  type: ActionType;
  hint: string;
  url?: string;
}

/** The envelope as it travels (JSON): codes are plain strings there. */
export interface ErrorEnvelope {
  error_code: string;
  summary: string;
  action?: { type: string; hint: string; url?: string };
  details?: Record<string, unknown>;
}

export class ToolError extends Error {
  readonly code: ErrorCode;
  readonly action?: ErrorAction;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, summary: string, opts: { hint?: string; actionType?: ActionType; url?: string; details?: Record<string, unknown> } = {}) {
    super(summary);
    this.name = 'ToolError';
    this.code = code;
    if (opts.hint) this.action = { type: opts.actionType ?? 'fix_request', hint: opts.hint, ...(opts.url ? { url: opts.url } : {}) };
    if (opts.details) this.details = opts.details;
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error_code: this.code,
      summary: this.message,
      ...(this.action ? { action: this.action } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromEnvelope(e: ErrorEnvelope): ToolError {
    const err = new ToolError(e.error_code as UpstreamCode, e.summary, e.details ? { details: e.details } : {});
    if (e.action) (err as { action?: ErrorAction }).action = { ...e.action, type: e.action.type as UpstreamCode };
    return err;
  }
}

export const notFound = (what: string, id: string, hint: string): ToolError => new ToolError('NOT_FOUND', `No ${what} with id ${JSON.stringify(id)}.`, { hint, actionType: 'look_up_id' });

export const invalid = (summary: string, hint: string, details?: Record<string, unknown>): ToolError => new ToolError('INVALID_REQUEST', summary, { hint, ...(details ? { details } : {}) });

/** A zod error as the field-and-message list every refusal of bad input carries (at most 20). */
export function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }, root: string): { field: string; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.') || root, message: i.message }));
}

/** Anything that is not a ToolError becomes INTERNAL_ERROR with a request id, never a stack trace. */
export function toEnvelope(err: unknown, requestId: string): ErrorEnvelope {
  if (err instanceof ToolError) return err.toEnvelope();
  return {
    error_code: 'INTERNAL_ERROR',
    summary: `The server failed while handling this request (request id ${requestId}). Nothing was applied unless the journal says so.`,
    action: { type: 'retry_or_report', hint: 'Read the affected records back before retrying; keep the request id when reporting.' },
    details: { request_id: requestId },
  };
}
