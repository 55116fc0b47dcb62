// Where each kind of id comes from, written once: contracts put these in descriptions, and the
// embedded workspace puts them in the hints of its NOT_FOUND refusals.
export const WHERE = {
  campaign: 'Campaign ids come from campaign_list or campaign_dropdown.',
  creator: 'Creator ids come from creator_search or collection_items.',
  collection: 'Collection ids come from collection_list.',
  crmChannel: 'CRM channels are listed by crm_list; creator ids come from creator_search or collection_items.',
  crmLabel: 'Label ids come from crm_labels_list.',
  crmGroup: 'Group ids come from crm_groups_list.',
  teamMember: 'user_uid values come from email_collaborators_list without a task_id.',
  emailTask: 'Task ids come from email_list.',
  emailSender: 'Sender ids come from email_sender_list.',
  emailAttachment: 'Attachment ids come from email_attachments_list.',
  emailTemplate: 'Template ids come from email_templates_list.',
  product: 'product_collect_id values come from product_list.',
  productTag: 'Tag ids come from product_tags_list.',
  shortLink: 'short_link_id values come from short_link_list.',
  thread: 'Thread ids come from message_list.',
  messageTemplate: 'Template ids come from message_templates_list.',
  messageSender: 'Sender ids (sender_auth_id) are the workspace senders; a thread shows its own in message_get.',
  affiliateStore: 'Store ids come from affiliation_stores_list (always the first step).',
  affiliateCampaign: 'Affiliate campaign ids come from affiliation_campaigns_list with a store_id.',
  affiliateMember: 'Member ids come from affiliation_members_pending or affiliation_members_active.',
  export: 'Export ids come from export_create_apply or export_list.',
  brand: 'Brand ids come from brand_monitor_list.',
  collectionImport: 'Import ids come from collection_import_file_apply.',
} as const;

/** The same sources, short, for field descriptions: the field's name already says which id it is. */
export const FROM = Object.fromEntries(
  Object.entries(WHERE).map(([k, v]) => [
    k,
    // The tool names only: a field's own schema says what else the source needs (a store_id).
    / come from /.test(v) && k !== 'crmChannel'
      ? `From ${v.replace(/^.*? come from /, '').replace(/ (\(|with ).*$/, '.')}`
      : k === 'crmChannel'
        ? 'From crm_list, creator_search or collection_items.'
        : v,
  ]),
) as Record<keyof typeof WHERE, string>;

/**
 * Id fields that name one kind of id wherever they appear in the catalog. Where each comes from is
 * said once, in the server instructions (ID_SOURCES_NOTE) and docs/tools.md, so such a field is
 * listed without a description of its own: on a hundred tools, "From email_list." on every task_id
 * costs more than it tells. A field that means something else under the same name (an affiliate
 * campaign's campaign_id) or needs more than its source describes itself, and that wins.
 */
export const ID_FIELDS = {
  campaign_id: 'campaign',
  collection_id: 'collection',
  group_id: 'crmGroup',
  product_collect_id: 'product',
  tag_id: 'productTag',
  short_link_id: 'shortLink',
  task_id: 'emailTask',
  thread_id: 'thread',
  template_id: 'messageTemplate',
  store_id: 'affiliateStore',
  member_id: 'affiliateMember',
  export_id: 'export',
  brand_id: 'brand',
} as const satisfies Record<string, keyof typeof WHERE>;

/** Each id field of ID_FIELDS and the tools its values come from. */
export const ID_SOURCES: Record<string, string> = Object.fromEntries(Object.entries(ID_FIELDS).map(([field, kind]) => [field, FROM[kind].replace(/^From /, '').replace(/\.$/, '')]));

/** The sentence of the server instructions that names every source once. */
export const ID_SOURCES_NOTE = `An id field with no description of its own comes from: ${Object.entries(ID_SOURCES)
  .map(([field, source]) => `${field} ${source}`)
  .join('; ')}.`;
