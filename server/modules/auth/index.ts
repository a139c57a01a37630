import type { Authenticator } from '../../platform/http/types.js';
import { SESSION_COOKIE } from './auth.routes.js';
import { authenticateSession, authenticateToken } from './sessions.service.js';

export { registerAuthRoutes, SESSION_COOKIE } from './auth.routes.js';
export { registerUserRoutes } from './users.routes.js';
export { requireAdmin, requireStaff, requireSupervisor, isAdmin, type StaffActor } from './auth.policy.js';
export { ensureFirstAdmin, getUsersByIds, createUser, createGroup, listUsers } from './users.service.js';
export { createApiToken, findUserForCli } from './sessions.service.js';
export { listGroups, groupExists, groupIdsByNames, groupIdsByUser } from './groups.repository.js';
export { findUsersByIds, listActiveStaffForMentions, userIdsByHandles, type User } from './users.repository.js';
export { getSettings } from './settings.service.js';
export { registerUserReferences, type UserReferences } from './user-references.js';

/** Bearer token first (scripts), then the session cookie (browsers). */
export const authenticate: Authenticator = async (request, ctx) => {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    const auth = await authenticateToken(ctx, header.slice(7).trim());
    return auth ? { actor: auth.actor, csrfToken: null, scopes: auth.scopes, sessionToken: null } : null;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) {
    const auth = await authenticateSession(ctx, cookie);
    return auth ? { actor: auth.actor, csrfToken: auth.csrfToken, scopes: null, sessionToken: cookie } : null;
  }
  return null;
};
