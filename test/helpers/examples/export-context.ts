// Valid arguments for the preview tools of the export domain, built from the seeded workspace.
// export_download needs a ready export: the example creates one and runs its job first.
import type { PreviewExamples } from './types.js';

export const previewExamples: PreviewExamples = {
  export_create: async () => ({ kind: 'collection', collection_id: 'col_001', platform: 'youtube', format: 'xlsx', reason: 'Share the shortlist with the agency' }),
  export_download: async (s) => {
    const p = await s.ok('export_create_preview', { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Read-only check' });
    const a = await s.ok('export_create_apply', { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Read-only check', preview_token: p.preview_token });
    await s.drainJobs();
    return { export_id: a.result.export_id, output_path: 'checks/brand.csv' };
  },
};
