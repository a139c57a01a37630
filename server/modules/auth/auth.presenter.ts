import type { z } from 'zod';
import type { groupResponse, tokenResponse, userResponse } from '../../../contracts/auth.js';
import type { ApiToken } from './credentials.repository.js';
import type { Group } from './groups.repository.js';
import type { UserWithGroups } from './users.service.js';

export const presentUser = (u: UserWithGroups): z.infer<typeof userResponse> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  restrictedToGroups: u.restrictedToGroups,
  skills: u.skills,
  maxLoad: u.maxLoad,
  available: u.available,
  groupIds: u.groupIds,
  contactId: u.contactId,
  createdAt: u.createdAt,
  lastLoginAt: u.lastLoginAt,
});

export const presentGroup = (g: Group): z.infer<typeof groupResponse> => ({
  id: g.id,
  name: g.name,
  description: g.description,
  memberIds: g.memberIds,
  createdAt: g.createdAt,
});

export const presentToken = (t: ApiToken): z.infer<typeof tokenResponse> => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes as z.infer<typeof tokenResponse>['scopes'],
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  expiresAt: t.expiresAt,
});
