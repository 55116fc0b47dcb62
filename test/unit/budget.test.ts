// Token budgets of the tool lists, computed from the generated catalog (deterministic): what a
// model is sent is name + description + inputSchema, counted as JSON bytes / 4.
import { describe, expect, it } from 'vitest';
import { selectTools, toolsetsOf } from '../../src/catalog.js';
import { listTools, modelVisibleTokens } from '../../src/server.js';
import { surfaceOf } from '../../src/surface.js';
import { catalog, operations } from '../../tools/index.js';

const compact = (sel: Parameters<typeof selectTools>[1]) => listTools(surfaceOf('compact', selectTools(operations, sel), catalog));

// Issue 15's budgets for the default surface: 25,000 tokens in all and 4,000 per toolset. A new
// family that would break them is placed in a toolset with room, or a domain is split by family
// (as email is: email and email_recipients); descriptions say what a tool does once.
const DEFAULT_CEILING = { total: 25_000, toolset: 4_000 };

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
