/** Display names of the customer mail templates, shared by the template editor and the send switches. */
import type { MessageKey } from '../../lib/i18n.js';
import type { CustomerTemplate } from './admin-types.js';

export const TEMPLATE_LABEL: Record<CustomerTemplate['key'], MessageKey> = {
  layout: 'templates.key.layout',
  acknowledgement: 'templates.key.acknowledgement',
  reply: 'templates.key.reply',
  status_waiting: 'templates.key.status_waiting',
  status_resolved: 'templates.key.status_resolved',
  status_closed: 'templates.key.status_closed',
};
