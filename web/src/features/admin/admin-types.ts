// Types of the admin screens, inferred from contracts/ (type-only, so zod stays out of the bundle).
import type { z } from 'zod';
import type { CustomerNotificationKey, customerNotificationSettingsResponse, customerTemplateResponse, renderedPreviewResponse } from '../../../../contracts/customer-notifications.js';
import type { inboundMailDetail, inboundMailSummary, MailboxResponse } from '../../../../contracts/mail.js';
import type { tagChangeResponse, tagResponse } from '../../../../contracts/tickets.js';
import type { CannedResponseResponse, NoticeResponse } from '../../../../contracts/workspace.js';

export type CannedResponse = CannedResponseResponse;
export type Notice = NoticeResponse;
export type Mailbox = MailboxResponse;
export type InboundMail = z.infer<typeof inboundMailSummary>;
export type InboundMailDetail = z.infer<typeof inboundMailDetail>;
export type Tag = z.infer<typeof tagResponse>;
export type TagChange = z.infer<typeof tagChangeResponse>;
export type CustomerTemplate = z.infer<typeof customerTemplateResponse>;
export type RenderedPreview = z.infer<typeof renderedPreviewResponse>;
export type CustomerMailSettings = z.infer<typeof customerNotificationSettingsResponse>;
export type { CustomerNotificationKey };
