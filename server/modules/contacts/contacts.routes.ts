import { z } from 'zod';
import {
  contactResponse,
  createContactRequest,
  createOrganizationRequest,
  listContactsQuery,
  organizationResponse,
  updateContactRequest,
  updateOrganizationRequest,
} from '../../../contracts/contacts.js';
import { okResponse, pageOf, uuid } from '../../../contracts/common.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import {
  createContact,
  createOrganization,
  deleteOrganization,
  getContact,
  getOrganization,
  listContacts,
  listOrganizations,
  updateContact,
  updateOrganization,
} from './contacts.service.js';

const idParams = z.object({ id: uuid });
const isNameKey = (v: unknown): v is { name: string; id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { id?: unknown }).id === 'string';

export function registerContactRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/contacts',
    { schema: { tags: ['contacts'], summary: 'List or search contacts (name, email, phone), by name', querystring: listContactsQuery, response: { 200: pageOf(contactResponse) } } },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      const items = await listContacts(ctxOf(deps, request), { ...filters, after: decodeCursor('contacts', cursor, isNameKey, filters), limit });
      const last = items.length === limit ? items[items.length - 1] : undefined;
      return { items, nextCursor: last ? encodeCursor('contacts', { name: last.name, id: last.id }, filters) : null };
    },
  );
  app.post('/api/v1/contacts', { schema: { tags: ['contacts'], summary: 'Create a contact', body: createContactRequest, response: { 201: contactResponse } } }, async (request, reply) =>
    reply.status(201).send(await createContact(ctxOf(deps, request), request.body)),
  );
  app.get('/api/v1/contacts/:id', { schema: { tags: ['contacts'], summary: 'Get a contact', params: idParams, response: { 200: contactResponse } } }, async (request) =>
    getContact(ctxOf(deps, request), request.params.id),
  );
  app.patch(
    '/api/v1/contacts/:id',
    { schema: { tags: ['contacts'], summary: 'Update a contact (emails/phones replace the lists)', params: idParams, body: updateContactRequest, response: { 200: contactResponse } } },
    async (request) => updateContact(ctxOf(deps, request), request.params.id, request.body),
  );

  app.get('/api/v1/organizations', { schema: { tags: ['organizations'], summary: 'List organizations', response: { 200: z.object({ items: z.array(organizationResponse) }) } } }, async (request) => ({
    items: await listOrganizations(ctxOf(deps, request)),
  }));
  app.post(
    '/api/v1/organizations',
    { schema: { tags: ['organizations'], summary: 'Create an organization (new contacts with its email domains join it)', body: createOrganizationRequest, response: { 201: organizationResponse } } },
    async (request, reply) => reply.status(201).send(await createOrganization(ctxOf(deps, request), request.body)),
  );
  app.get('/api/v1/organizations/:id', { schema: { tags: ['organizations'], summary: 'Get an organization', params: idParams, response: { 200: organizationResponse } } }, async (request) =>
    getOrganization(ctxOf(deps, request), request.params.id),
  );
  app.patch(
    '/api/v1/organizations/:id',
    { schema: { tags: ['organizations'], summary: 'Update an organization', params: idParams, body: updateOrganizationRequest, response: { 200: organizationResponse } } },
    async (request) => updateOrganization(ctxOf(deps, request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/organizations/:id',
    { config: { auth: 'admin-scope' }, schema: { tags: ['organizations'], summary: 'Delete an organization (admin); its contacts stay', params: idParams, response: { 200: okResponse } } },
    async (request) => {
      await deleteOrganization(ctxOf(deps, request), request.params.id);
      return { ok: true as const };
    },
  );
}
