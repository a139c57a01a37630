export { registerContactRoutes } from './contacts.routes.js';
export {
  contactSearchText,
  findOrCreateContactByEmail,
  findOrCreateContactsByEmails,
  findContactByPhone,
  getContact,
  getContactsByIds,
  getOrganizationsByIds,
  createContact,
  createOrganization,
  normalizeEmail,
  normalizePhone,
} from './contacts.service.js';
export type { Contact, Organization } from './contacts.repository.js';
export { contactIdsByEmails, organizationIdsByNames } from './contacts.repository.js';
