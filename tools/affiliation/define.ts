// How every affiliation contract is defined: like any other, but outside campaign journals.
import type { z } from 'zod';
import { defineContract, type Contract, type ContractDef, type Obj } from '../../src/catalog.js';

/** Affiliate campaign ids are not marketing campaign ids: keep affiliation changes out of campaign journals. */
export function defineAffiliationContract<I extends Obj, O extends z.ZodType, E extends z.ZodType = z.ZodNever>(def: ContractDef<I, O, E>): Contract<I, O, E> {
  return defineContract<I, O, E>({ campaignOf: () => null, ...def });
}
