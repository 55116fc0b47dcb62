// CLI commands of operations whose contracts are being converted right now (crm, affiliation,
// product, short-link): kept here until those contracts carry their own `cli` field, then moved
// there and this map deleted. Sources as in docs/cli-backend.md.
import type { CliBinding, Operation } from '../../catalog.js';
import { cliBindingOf } from '../../catalog.js';

const PENDING: Record<string, CliBinding> = {
  // marketing-ops.md: `crm groups ...`; the workflow guide: `crm labels list`.
  'crm.groups_list': 'crm groups list',
  'crm.groups_get': 'crm groups get',
  'crm.groups_create': 'crm groups create',
  'crm.groups_update': 'crm groups update',
  'crm.groups_delete': 'crm groups delete',
  'crm.labels_list': 'crm labels list',
  'crm.labels_create': 'crm labels create',
  'crm.labels_update': 'crm labels update',
  'crm.labels_delete': 'crm labels delete',
  // The workflow guide: `affiliation stores list`, `affiliation campaigns list --store-id …`.
  'affiliation.stores_list': 'affiliation stores list',
  'affiliation.store_products': 'affiliation stores products',
  'affiliation.campaigns_list': 'affiliation campaigns list',
  'affiliation.campaigns_get': 'affiliation campaigns get',
  'affiliation.campaigns_create': 'affiliation campaigns create',
  'affiliation.campaigns_update': 'affiliation campaigns update',
  'affiliation.campaigns_delete': 'affiliation campaigns delete',
  'affiliation.campaigns_export': 'affiliation campaigns export',
  'affiliation.campaigns_overview': 'affiliation campaigns overview',
  'affiliation.members_active': 'affiliation members active',
  'affiliation.members_add': 'affiliation members add',
  'affiliation.members_delete': 'affiliation members delete',
  'affiliation.members_import_file': 'affiliation members import-file',
  'affiliation.members_import_template': 'affiliation members import-template',
  'affiliation.members_overview': 'affiliation members overview',
  'affiliation.members_pending': 'affiliation members pending',
  'affiliation.members_performance': 'affiliation members performance',
  'affiliation.members_promotions': 'affiliation members promotions',
  'affiliation.members_status': 'affiliation members status',
  'affiliation.members_tracking_detail': 'affiliation members tracking-detail',
  'affiliation.members_update': 'affiliation members update',
  // By the nesting of the families above; an absent command only leaves the operation unmapped.
  'product.tags_list': 'product tags list',
  'product.tag_create': 'product tags create',
  'product.tag_update': 'product tags update',
  'product.tag_delete': 'product tags delete',
  'product.image_upload': 'product image upload',
};

/** The operation's CLI binding: its contract's, else the pending one above, else derived from its name. */
export function bindingOf(op: Operation): CliBinding {
  return op.cli ?? PENDING[op.name] ?? cliBindingOf(op);
}

export const pendingBindings: Readonly<Record<string, CliBinding>> = PENDING;
