export { registerMessageRoutes } from './messages.routes.js';
export { createTicketWithMessage, mergeTickets, splitTicket } from './conversation.service.js';
export { postMessage, addMessageToTicket, mergedAway, listMessages, storeChannelAttachment, type NewMessage, type MessageWithAttachments } from './messages.service.js';
export { sanitizeMessageHtml } from './body-format.js';
export { registerImportRoutes } from './import.routes.js';
export { registerSpamRoutes } from './spam.routes.js';
export { registerMessageRealtime } from './messages.realtime.js';
export { registerCannedResponseRoutes } from './canned-responses.routes.js';
export { registerCollisionRoutes } from './collision.routes.js';
export { getMessageSummaries, type MessageSummary } from './message-lookup.js';
// The customer portal uploads and serves attachments with the same checks as the API.
export { uploadAttachment, findDownloadableAttachment } from './messages.service.js';
export { searchUpgradeJob, SEARCH_UPGRADE_EVERY_MS } from './search-upgrade.job.js';
