// How one call becomes one command line of the installed CLI (src/backend/cli/schema.ts), on a
// command tree written here: the places of fields, and words a CLI would read as another command.
import { describe, expect, it } from 'vitest';
import { buildInvocation, parseSchema } from '../../src/backend/cli/schema.js';
import { ToolError } from '../../src/errors.js';
import { operations } from '../../tools/index.js';

const tree = parseSchema(
  JSON.stringify([
    { command: 'campaign get', arguments: [{ name: 'campaign_id', required: true }], mutation: false },
    // A subcommand one word below it, as a CLI's tree may have: `campaign get <campaign_id>` must never spell it.
    { command: 'campaign get context', arguments: [], mutation: false },
  ]),
);
const campaignGet = operations.find((o) => o.name === 'campaign.get')!;
const noFiles = {
  input: () => {
    throw new Error('no files here');
  },
  output: () => {
    throw new Error('no files here');
  },
};
const build = (campaign_id: string) => buildInvocation(campaignGet, 'run', { campaign_id }, tree, noFiles, { force: false });

describe('buildInvocation', () => {
  it('places a positional argument as one literal argument after the command words', () => {
    expect(build('cmp_1').argv).toEqual(['campaign', 'get', 'cmp_1']);
    expect(build('context-2').argv).toEqual(['campaign', 'get', 'context-2']);
  });

  it('refuses a first positional spelled like a subcommand word: the CLI would run that command', () => {
    let caught: unknown;
    try {
      build('context');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ToolError);
    expect((caught as ToolError).code).toBe('INVALID_REQUEST');
    expect((caught as ToolError).message).toContain('campaign get context');
  });
});
