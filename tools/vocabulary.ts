// The fixed vocabularies of the workspace, shared by its schema, its demo seed and the catalog.
export const PLATFORMS = ['youtube', 'tiktok', 'instagram'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const CAMPAIGN_STATUSES = ['draft', 'active', 'paused', 'completed', 'archived'] as const;
export const EMAIL_TASK_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;
export const RECIPIENT_STATUSES = ['pending', 'filtered_out', 'sent', 'bounced', 'replied'] as const;
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound', 'unknown'] as const;
export const COLLABORATOR_PERMISSIONS = ['owner', 'edit', 'view', 'manage_members'] as const;
export const MEMBER_STATUSES = ['pending', 'active', 'terminated'] as const;

/** Channel URL shapes per platform; the id part is the platform's own channel id or handle. */
export const CHANNEL_URL: Record<Platform, (channelId: string) => string> = {
  youtube: (id) => `https://www.youtube.com/channel/${id}`,
  tiktok: (id) => `https://www.tiktok.com/@${id}`,
  instagram: (id) => `https://www.instagram.com/${id}/`,
};
