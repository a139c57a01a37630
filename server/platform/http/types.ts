import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config.js';
import type { Actor, Ctx } from '../context.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/dialect/types.js';
import type { EventDispatcher } from '../events/dispatcher.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { JobRunner } from '../jobs/job-runner.js';

export type AppInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What the composition root hands to the HTTP layer and every module's routes. */
export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  events: EventDispatcher;
  blobs: BlobStore;
  jobs: JobRunner;
  version: string;
}

export interface RequestAuth {
  actor: Actor;
  /** Cookie sessions carry a CSRF token that unsafe requests must echo. */
  csrfToken: string | null;
  /** API tokens carry scopes; sessions have none (null = everything the role allows). */
  scopes: string[] | null;
  sessionToken: string | null;
}

export type Authenticator = (
  request: { headers: Record<string, string | string[] | undefined>; cookies: Record<string, string | undefined> },
  ctx: Ctx,
) => Promise<RequestAuth | null>;

export type RouteAuth = 'public' | 'user' | 'admin-scope';

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyContextConfig {
    /** 'public' routes need no sign-in; 'admin-scope' routes need the admin scope on API tokens. */
    auth?: RouteAuth;
    /**
     * Documentation only: the body of a route that reads it by hand (a multipart file, raw MIME,
     * a signed webhook whose bytes are checked before parsing). Never used to validate.
     */
    openapiBody?: { mediaType: string; schema: unknown };
  }
}
