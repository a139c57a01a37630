import { z } from 'zod';
import {
  createGroupRequest,
  createUserRequest,
  groupResponse,
  updateGroupRequest,
  updateUserRequest,
  userResponse,
  userRoleSchema,
} from '../../../contracts/auth.js';
import { okResponse, uuid } from '../../../contracts/common.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import { presentGroup, presentUser } from './auth.presenter.js';
import { createGroup, createUser, deleteGroup, getGroup, getUser, listAllGroups, listUsers, updateGroup, updateUser } from './users.service.js';

const idParams = z.object({ id: uuid });

export function registerUserRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List staff users (or customers with role=customer)',
        querystring: z.object({ role: userRoleSchema.optional() }),
        response: { 200: z.object({ items: z.array(userResponse) }) },
      },
    },
    async (request) => ({ items: (await listUsers(ctxOf(deps, request), request.query)).map(presentUser) }),
  );
  app.post(
    '/api/v1/users',
    { config: { auth: 'admin-scope' }, schema: { tags: ['users'], summary: 'Create a user (admin)', body: createUserRequest, response: { 201: userResponse } } },
    async (request, reply) => reply.status(201).send(presentUser(await createUser(ctxOf(deps, request), request.body))),
  );
  app.get('/api/v1/users/:id', { schema: { tags: ['users'], summary: 'Get a user', params: idParams, response: { 200: userResponse } } }, async (request) =>
    presentUser(await getUser(ctxOf(deps, request), request.params.id)),
  );
  app.patch(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], summary: 'Update a user (admin; users may change their own name and availability)', params: idParams, body: updateUserRequest, response: { 200: userResponse } } },
    async (request) => presentUser(await updateUser(ctxOf(deps, request), request.params.id, request.body)),
  );

  app.get('/api/v1/groups', { schema: { tags: ['groups'], summary: 'List groups (teams)', response: { 200: z.object({ items: z.array(groupResponse) }) } } }, async (request) => ({
    items: (await listAllGroups(ctxOf(deps, request))).map(presentGroup),
  }));
  app.post(
    '/api/v1/groups',
    { config: { auth: 'admin-scope' }, schema: { tags: ['groups'], summary: 'Create a group (admin)', body: createGroupRequest, response: { 201: groupResponse } } },
    async (request, reply) => reply.status(201).send(presentGroup(await createGroup(ctxOf(deps, request), request.body))),
  );
  app.get('/api/v1/groups/:id', { schema: { tags: ['groups'], summary: 'Get a group', params: idParams, response: { 200: groupResponse } } }, async (request) =>
    presentGroup(await getGroup(ctxOf(deps, request), request.params.id)),
  );
  app.patch(
    '/api/v1/groups/:id',
    { config: { auth: 'admin-scope' }, schema: { tags: ['groups'], summary: 'Update a group and its members (admin)', params: idParams, body: updateGroupRequest, response: { 200: groupResponse } } },
    async (request) => presentGroup(await updateGroup(ctxOf(deps, request), request.params.id, request.body)),
  );
  app.delete(
    '/api/v1/groups/:id',
    { config: { auth: 'admin-scope' }, schema: { tags: ['groups'], summary: 'Delete a group (admin)', params: idParams, response: { 200: okResponse } } },
    async (request) => {
      await deleteGroup(ctxOf(deps, request), request.params.id);
      return { ok: true as const };
    },
  );
}
