// What the catalog tells an agent beyond its tools: the workflow guide resource, the campaign
// context resource template and the two prompts. They read through the catalog's own read
// operations, so they show the same workspace as the tools, embedded or upstream.
import { z } from 'zod';
import type { Catalog, CatalogReader, Completer, PromptDef, SurfaceGuide } from '../src/catalog.js';

export const GUIDE_URI = 'nox://guide/campaign-workflow';

export const CAMPAIGN_WORKFLOW_GUIDE = `# Campaign workflow (for agents)

Keep ONE working set moving through ONE campaign. Ids are opaque: copy them from tool results, never guess.
Every *_preview shows what its *_apply will do: show the summary to the person, then apply with the same
arguments plus preview_token. Staged families start with *_validate. Record each decision with
campaign_context_record; campaign_context_get (or the resource nox://campaigns/{campaign_id}/context) shows it.

1. Anchor: campaign_list / campaign_get / campaign_dashboard; campaign_context_get for goal, market, past decisions.
2. Creators: creator_search (platform, country, followers, has_email; exclude_collection_ids / exclude_in_crm /
   exclude_contacted to skip creators already held) then creator_get. Record include/exclude
   reasons: campaign_context_record {creators: [{creator_id, decision, reason}]}.
3. Collection: collection_create (with campaign_id), collection_add_creators_preview/_apply, or
   collection_import_template + collection_import_file_preview/_apply then collection_import_status.
4. Grouped work: collection_refresh_validate/_preview/_apply (what: email|base|audience),
   collection_batch_validate/_preview/_apply (move|copy|delete|label).
5. CRM: collection_add_to_crm_validate/_preview/_apply (a whole collection + platform slice), crm_labels_list /
   crm_labels_create, crm_batch_update_validate/_preview/_apply (labels, coop_status id from message_coop_statuses), crm_list to check.
6. Product cards: product_list / product_create; keep product_collect_id.
7. Links: short_link_create for normal Nox tracking links; affiliate links only from affiliation
   (affiliation_stores_list first, affiliation_campaigns_list, members add and status activate).
   Record which is which: campaign_context_record {links: [{id, kind}]}.
8. Email task: email_create, email_recipients_add (creator_id | platform+channel_id | email_address),
   email_recipient_filter_options + email_recipient_filter_update (hide contacted / in CRM / in other tasks),
   email_collaborators_list + email_collaborators_add_preview/_apply, email_attachments_upload_preview/_apply (a file from the
   client: files_stage it once, then pass its path to both preview and apply; files_list shows the files root),
   email_content_save (subject, body, product_collect_ids <= 5; or email_templates_use; inline images from
   file_image_upload's file_url), email_sender_list + email_sender_update.
9. Approve and send: email_get, then email_send_preview (or email_schedule_preview, whole-hour offset); its sheet
   shows each address and flags recipients other tasks already emailed (unanswered replies first). Record approvals for recipients, sender, content, attachments, schedule, then email_send_apply / email_schedule_apply.
10. Follow up: message_creator_filters / message_project_filters, message_list {project_ids: ["email_task:<task_id>"],
    needs_reply: true}; decide with needs_reply + last_message_direction (never unread counts); message_get,
    message_projects <thread_id> for sibling task threads; message_attachments_upload_preview/_apply;
    message_send_preview/_apply on the existing thread_id. Empty replies never clear pending state.
11. Metrics: email_report (reply_count, replied_creator_count, inbound_message_count differ), email_team_summary,
    email_team_breakdown.
12. Shareable file: export_create_preview/_apply (collection | crm | brand_monitor, with a reason), export_wait
    (progress), export_download_preview/_apply into the files root.
13. Feed back: campaign_context_record (reply_state, message_filters, ids, export_reasons); the journal records
    every applied change automatically.
`;

/** The guide's numbered steps, each with the tools it names (find_tools {step} on the compact surface). */
export const WORKFLOW_STEPS: string[] = CAMPAIGN_WORKFLOW_GUIDE.split(/\n(?=\d+\. )/)
  .slice(1)
  .map((s) => s.trim());

/** Text that names tools, preceded by how the surface in use reaches them. */
const onSurface = (surface: SurfaceGuide, text: string): string => (surface.note ? `${surface.note}\n\n${text}` : text);

export const guideResources: NonNullable<Catalog['resources']> = (_reader, surface) => [
  {
    name: 'campaign-workflow-guide',
    uri: GUIDE_URI,
    title: 'Campaign workflow guide',
    description: 'The campaign loop for agents, step by step, naming the tools of this server.',
    mimeType: 'text/markdown',
    read: () => onSurface(surface, CAMPAIGN_WORKFLOW_GUIDE),
  },
];

// ---------------------------------------------------------------------------------------------
// Completions (completion/complete): ids suggested from the same reads the tools use.

/** What was typed so far matches an id by its start, or a name anywhere in it (case-insensitive). */
const matches = (typed: string, id: string, name: string): boolean => {
  const t = typed.toLowerCase();
  return id.toLowerCase().startsWith(t) || name.toLowerCase().includes(t);
};

const campaignIds =
  (reader: CatalogReader): Completer =>
  async (typed) =>
    ((await reader.read('campaign.dropdown', {})).items as { campaign_id: string; name: string }[]).filter((c) => matches(typed, c.campaign_id, c.name)).map((c) => c.campaign_id);

/** Email task ids; within the campaign already chosen when the client sends it as context. */
const taskIds =
  (reader: CatalogReader): Completer =>
  async (typed, context) => {
    const campaignId = context?.arguments?.campaign_id;
    const page = await reader.read('email.list', { page_size: 100, ...(campaignId ? { campaign_id: campaignId } : {}) });
    return (page.items as { task_id: string; name: string }[]).filter((t) => matches(typed, t.task_id, t.name)).map((t) => t.task_id);
  };

export const contextResourceTemplates: NonNullable<Catalog['resourceTemplates']> = (reader) => [
  {
    name: 'campaign-context',
    uriTemplate: 'nox://campaigns/{campaign_id}/context',
    title: 'Campaign context',
    description: "One campaign's context as JSON: goal, market, decisions, approvals, ids, exports and journal.",
    mimeType: 'application/json',
    list: async () =>
      ((await reader.read('campaign.dropdown', {})).items as { campaign_id: string; name: string }[]).map((c) => ({
        uri: `nox://campaigns/${encodeURIComponent(c.campaign_id)}/context`,
        name: `Context: ${c.name}`,
      })),
    read: async (vars) => JSON.stringify(await reader.read('campaign.context_get', { campaign_id: decodeURIComponent(vars.campaign_id ?? ''), journal_limit: 50 }), null, 2),
    complete: { campaign_id: campaignIds(reader) },
  },
];

// ---------------------------------------------------------------------------------------------
// Prompts

async function campaignFacts(reader: CatalogReader, campaignId: string): Promise<string> {
  const c = await reader.read('campaign.get', { campaign_id: campaignId }).catch(() => undefined);
  if (!c) return `Campaign ${campaignId} (read it with campaign_get; if it is unknown, pick one with campaign_list).`;
  const cols = ((await reader.read('collection.list', { campaign_id: campaignId, page_size: 100 })).items as { collection_id: string }[]).map((x) => x.collection_id).sort();
  const tasks = await tasksOf(reader, campaignId);
  return `Campaign ${campaignId} "${c.name}" (${c.status}; markets ${(c.markets as string[]).join(', ') || 'none'}); objective: ${c.objective}
Linked collections: ${cols.join(', ') || 'none yet'}. Email tasks: ${tasks.join(', ') || 'none yet'}.`;
}

const tasksOf = async (reader: CatalogReader, campaignId: string): Promise<string[]> =>
  ((await reader.read('email.list', { campaign_id: campaignId, page_size: 100 })).items as { task_id: string }[]).map((t) => t.task_id).sort();

export const workflowPrompts: NonNullable<Catalog['prompts']> = (reader, surface): PromptDef[] => [
  {
    name: 'run_campaign_workflow',
    title: 'Run the campaign workflow',
    description: 'A step-by-step plan, naming the tools in order, to move one campaign toward a goal.',
    args: {
      campaign_id: z.string().describe('The campaign (from campaign_list).'),
      goal: z.string().optional().describe('What to achieve now; defaults to the recorded goal.'),
    },
    complete: { campaign_id: campaignIds(reader) },
    render: async (args) => {
      const cid = args.campaign_id ?? '';
      return onSurface(
        surface,
        `Run the NoxInfluencer campaign workflow for campaign ${cid}.
${await campaignFacts(reader, cid)}
Goal for this session: ${args.goal ?? 'the goal recorded in the campaign context'}.

Plan (show every *_preview summary to the person and apply only after they approve):
1. campaign_context_get {campaign_id: "${cid}"}: read goal, market, kept creators, approvals, ids and the journal.
${args.goal ? `   Then campaign_context_record {campaign_id: "${cid}", goal: ${JSON.stringify(args.goal)}}.\n` : ''}2. creator_search for candidates in the campaign markets; creator_get to review; record decisions with
   campaign_context_record {creators: [{creator_id, decision, reason}]}.
3. collection_add_creators_preview -> collection_add_creators_apply into the campaign collection (collection_create if none).
4. collection_refresh_validate -> _preview -> _apply (what: "email") so recipients have emails.
5. collection_add_to_crm_validate -> _preview -> _apply; crm_labels_list / crm_labels_create; crm_batch_update_validate -> _preview -> _apply for labels.
6. product_list (product cards) and short_link_create (normal tracking links); affiliate links only via affiliation_* tools.
7. email_create; email_recipients_add; email_recipient_filter_update; email_collaborators_add_preview -> _apply; email_attachments_upload_preview -> _apply;
   email_content_save; email_sender_update.
8. email_get, email_send_preview (or email_schedule_preview); record approvals (recipients, sender, content, attachments, schedule)
   with campaign_context_record; then email_send_apply / email_schedule_apply.
9. Later: follow up with the follow_up_replies prompt, read email_report.
10. export_create_preview -> _apply with a reason when a shareable file is needed; export_wait; export_download_preview -> _apply.
11. campaign_context_record with every id used (ids, links, export_reasons) so the next session starts from here.`,
      );
    },
  },
  {
    name: 'follow_up_replies',
    title: 'Follow up on replies',
    description: 'A plan, naming the tools in order, to answer the threads that need a reply for a campaign or an email task.',
    args: {
      campaign_id: z.string().optional().describe('Campaign whose email tasks to follow up.'),
      task_id: z.string().optional().describe('One email task (from email_list).'),
    },
    complete: { campaign_id: campaignIds(reader), task_id: taskIds(reader) },
    render: async (args) => {
      const tasks = args.task_id ? [args.task_id] : args.campaign_id ? await tasksOf(reader, args.campaign_id) : [];
      const projects = tasks.map((t) => `"email_task:${t}"`).join(', ');
      const scope = args.task_id ? `email task ${args.task_id}` : args.campaign_id ? `campaign ${args.campaign_id}` : 'no campaign or task given';
      const find = projects
        ? `message_list {project_ids: [${projects}], needs_reply: true}`
        : args.campaign_id
          ? `email_list to find the email tasks of campaign ${args.campaign_id}, then message_list {project_ids: ["email_task:<task_id>"], needs_reply: true}`
          : 'ask which campaign (campaign_list) or email task (email_list); then message_list {project_ids: ["email_task:<task_id>"], needs_reply: true}';
      return onSurface(
        surface,
        `Follow up on replies for ${scope}.

Plan:
1. ${args.campaign_id ? `campaign_context_get {campaign_id: "${args.campaign_id}"} for approvals, reply_state and message_filters recorded before.` : 'If the task belongs to a campaign, campaign_context_get for its recorded reply_state and filters.'}
2. ${find}.
   Narrow with message_creator_filters (user_uid of owners) / message_project_filters, label_id or a coop_status id (message_coop_statuses) when needed.
3. Decide from needs_reply and last_message_direction (inbound = the creator wrote last), never from unread counts;
   "deal" is not "unread".
4. For each thread: message_get {thread_id}; message_projects {thread_id} to see sibling task threads of the same creator.
5. Draft the reply (message_draft_save); attach files if needed (message_attachments_upload_preview -> _apply, at most 2).
6. message_send_preview (or message_schedule_preview, whole-hour offset) on the existing thread_id; show it; message_send_apply.
   An empty reply never clears pending state, and no tool starts a new thread or marks a task handled.
7. email_report {task_id} for reply_count, replied_creator_count and inbound_message_count.
8. campaign_context_record {reply_state: [{thread_id, needs_reply, last_message_direction, pending_reason}],
   message_filters: {project_ids: [${projects || '"email_task:<task_id>"'}]}, ids: {thread_ids, attachment_ids}}.`,
      );
    },
  },
];
