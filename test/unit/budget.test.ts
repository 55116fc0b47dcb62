// Token budgets of the tool lists, computed from the generated catalog (deterministic): what a
// model is sent is name + description + inputSchema, counted as JSON bytes / 4.
import { describe, expect, it } from 'vitest';
import { selectTools, toolsetsOf } from '../../src/catalog.js';
import { listTools, modelVisibleTokens } from '../../src/server.js';
import { surfaceOf } from '../../src/surface.js';
import { catalog, operations } from '../../tools/index.js';

const compact = (sel: Parameters<typeof selectTools>[1]) => listTools(surfaceOf('compact', selectTools(operations, sel), catalog));

// Issue 15's targets for the default surface are 25,000 tokens in all and 4,000 per toolset. The
// trimming has not reached them yet: these ceilings hold what has landed (including the
// idempotency_key every write tool now takes and the documented 256-character creator ids), so the list can only shrink; lower them as contract
// text is trimmed. Issue 13's approval decisions (crm_batch_update_validate; email collaborator
// add/remove as preview/apply) added 495 in all and 285 to email, the largest toolset; its email
// templates and email_copy 534 more, the recipient import template and file_image_upload 355 more,
// all in email; crm_import_report and affiliation_stores_last 355 more (crm, affiliation);
// message_template_attachments_list 73 more (message).
const DEFAULT_CEILING = { total: 35_312, toolset: 7_774 };

describe('token budgets', () => {
  it('keeps the default surface under its ceilings, in all and per toolset', () => {
    expect(modelVisibleTokens(listTools(selectTools(operations, {})))).toBeLessThanOrEqual(DEFAULT_CEILING.total);
    for (const ts of toolsetsOf(operations)) expect(modelVisibleTokens(listTools(selectTools(operations, { toolsets: [ts] }))), ts).toBeLessThanOrEqual(DEFAULT_CEILING.toolset);
  });

  it('keeps the compact surface within 2,000 model-visible tokens', () => {
    const listed = compact({});
    expect(listed).toHaveLength(8);
    expect(modelVisibleTokens(listed)).toBeLessThanOrEqual(2_000);
  });

  it('counts what the model sees, not the output schemas', () => {
    const tools = selectTools(operations, { toolsets: ['campaign'] });
    expect(modelVisibleTokens(listTools(tools, { outputSchemas: false }))).toBe(modelVisibleTokens(listTools(tools)));
    expect(listTools(tools, { outputSchemas: false }).every((t) => t.outputSchema === undefined)).toBe(true);
    expect(listTools(tools).every((t) => t.outputSchema?.type === 'object')).toBe(true);
  });
});
