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
 * Fields that mean the same on every tool that takes them: an id whose source is always the same
 * (campaign_id, task_id, thread_id, ...) or a file input's content_base64 and filename. Each is
 * explained once, in the server instructions (SHARED_FIELDS_NOTE) and in docs/tools.md, and listed
 * without a description of its own: "From email_list." on every task_id of the catalog costs more
 * than it tells. A field that means more under the same name describes itself, and that wins.
 */
const ID_FIELDS = {
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
  label_id: 'crmLabel',
} as const satisfies Record<string, keyof typeof WHERE>;

/** The catalog's lists of those ids (the plural field names that occur). */
const ID_LISTS = ['collection_ids', 'group_ids', 'label_ids', 'tag_ids', 'short_link_ids', 'task_ids', 'member_ids', 'product_collect_ids'] as const;

const sourceOf = (kind: keyof typeof WHERE): string => FROM[kind].replace(/^From /, '').replace(/\.$/, '');
const creatorSources = 'creator_search, collection_items or crm_list';

/** Each shared field and what it is, as the instructions say it ("task_id comes from email_list"). */
export const SHARED_FIELDS: Record<string, string> = {
  // Affiliate campaigns are not campaigns, but their tools name their ids campaign_id too.
  campaign_id: `comes from ${sourceOf('campaign')} (in affiliation_* tools: ${sourceOf('affiliateCampaign')})`,
  creator_id: `comes from ${creatorSources}`,
  creator_ids: `come from ${creatorSources}`,
  ...Object.fromEntries(Object.entries(ID_FIELDS).map(([field, kind]) => [field, `comes from ${sourceOf(kind)}`])),
  ...Object.fromEntries(ID_LISTS.map((list) => [list, `come from ${sourceOf(ID_FIELDS[list.replace(/s$/, '') as keyof typeof ID_FIELDS])}`])),
  user_uid: `comes from email_collaborators_list (the team without a task_id, a task's collaborators with one)`,
  output_path: 'is a new file in the files root (an existing one is refused unless overwrite is true)',
  preview_token: 'comes from the *_preview of the same arguments',
  coop_status: 'is a cooperation status id from message_coop_statuses (e.g. "2"), never a name',
  content_base64: "is a file's bytes in base64, sent instead of path (with filename)",
  filename: 'names the file sent as content_base64',
};

/** The sentence of the server instructions that explains every shared field once. */
export const SHARED_FIELDS_NOTE = `Fields listed without a description mean the same on every tool: ${Object.entries(SHARED_FIELDS)
  .map(([field, what]) => `${field} ${what}`)
  .join('; ')}.`;
