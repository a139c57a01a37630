/** Row shapes of the auth module's own tables; no other module reads them. */
export interface AuthTables {
  users: {
    id: string;
    email: string;
    name: string;
    role: string;
    password_hash: string | null;
    active: number;
    restricted_to_groups: number;
    skills: unknown;
    max_load: number | null;
    available: number;
    contact_id: string | null;
    created_at: string;
    updated_at: string;
    last_login_at: string | null;
  };
  /** name_key: the lower-cased name, unique; NULL only on legacy case-only duplicates (migration 2026120410). */
  groups: { id: string; name: string; name_key: string | null; description: string; created_at: string; updated_at: string };
  group_members: { group_id: string; user_id: string };
  sessions: {
    id: string;
    user_id: string;
    csrf_token: string;
    created_at: string;
    expires_at: string;
    ip: string | null;
    user_agent: string | null;
  };
  api_tokens: {
    id: string;
    user_id: string;
    name: string;
    token_hash: string;
    prefix: string;
    scopes: unknown;
    created_at: string;
    last_used_at: string | null;
    expires_at: string | null;
    revoked_at: string | null;
  };
}
