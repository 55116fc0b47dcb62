// Transitional: an operation still written the old way, contract and handlers fused in one
// definition, is split here into its contract and its implementation. Each domain moves to
// tools/<domain>/ (contracts) and workspace/<domain>/ (implementations); this file goes with the last.
import type { z } from 'zod';
import type { CallInfo, Obj, Operation, PreviewReading, Problem } from '../src/catalog.js';
import { defineContract, type ContractDef } from '../src/catalog.js';
import type { Implementation } from '../src/backend/local/implementation.js';
import { implement } from './implement.js';
import type { Workspace } from './workspace.js';

interface FusedDef<I extends Obj, O extends z.ZodType, E extends z.ZodType, L> extends Omit<ContractDef<I, O, E>, 'effect'> {
  load?: (ws: Workspace, input: z.output<I>, call: CallInfo) => Promise<L>;
  run: (ws: Workspace, input: z.output<I>, call: CallInfo, loaded: L) => z.input<O>;
  preview?: { effect: E; read: (ws: Workspace, input: z.output<I>, call: CallInfo, loaded: L) => PreviewReading<z.input<E>> };
  validate?: (ws: Workspace, input: z.output<I>, call: CallInfo, loaded: L) => Problem[];
}

const fused: Implementation<Workspace>[] = [];

export function defineOperation<I extends Obj, O extends z.ZodType, E extends z.ZodType = z.ZodNever, L = undefined>(def: FusedDef<I, O, E, L>): Operation {
  const { load, run, preview, validate, ...rest } = def;
  const contract = defineContract<I, O, E>({ ...rest, ...(preview ? { effect: preview.effect } : {}) }) as unknown as Operation;
  /* eslint-disable @typescript-eslint/no-explicit-any */
  fused.push(
    implement(contract, {
      ...(load ? { load: load as any } : {}),
      ...(validate ? { validate: validate as any } : {}),
      ...(preview
        ? {
            read: (ws: Workspace, input: any, call: CallInfo, loaded: any) => preview.read(ws, input, call, loaded),
            state: (plan: PreviewReading<unknown>) => plan.state,
            effect: (_ws: Workspace, _input: any, plan: PreviewReading<any>) => ({ effect: plan.effect, summary: plan.summary }),
          }
        : {}),
      run: (ws: Workspace, input: any, call: CallInfo, loaded: any) => run(ws, input, call, loaded),
    }),
  );
  /* eslint-enable @typescript-eslint/no-explicit-any */
  return contract;
}

/** The implementations of every operation defined the old way. */
export const fusedImplementations = (): Implementation<Workspace>[] => fused;
