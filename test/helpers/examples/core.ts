// Valid arguments for the high-risk tools of the campaign, discovery and collection domains,
// built from the seeded workspace. Every preview tool in the catalog needs an entry in a file of
// this folder (a test checks it), so the read-only property is asserted for all of them.
import type { PreviewExamples } from './types.js';

export const previewExamples: PreviewExamples = {
  campaign_delete: async (s) => ({ campaign_id: (await s.ok('campaign_list', {})).items[0].campaign_id }),
  collection_delete: async (s) => ({ collection_id: (await s.ok('collection_list', {})).items[0].collection_id }),
  collection_add_creators: async (s) => {
    const cid = (await s.ok('collection_list', {})).items[0].collection_id;
    const ids = (await s.ok('creator_search', { platform: 'youtube', page_size: 20 })).items.map((c: any) => c.creator_id);
    return { collection_ids: [cid], platform: 'youtube', creator_ids: ids };
  },
};
