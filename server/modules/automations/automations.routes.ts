import { z } from 'zod';
import {
  createRuleRequest,
  groupStrategyRequest,
  groupStrategyResponse,
  listRulesQuery,
  ruleListResponse,
  ruleResponse,
  sweepResponse,
  updateRuleRequest,
} from '../../../contracts/automations.js';
import { okResponse, uuid } from '../../../contracts/common.js';
import { requireAdmin } from '../auth/index.js';
import { ctxOf } from '../../platform/http/request-context.js';
import type { AppDeps, AppInstance } from '../../platform/http/types.js';
import type { GroupStrategy, Rule } from './automations.repository.js';
import { getGroupStrategy, setGroupStrategy } from './assignment.service.js';
import { createRule, deleteRule, getRule, listRules, updateRule } from './rules.service.js';
import { sweepTimeRules } from './time-rules.service.js';

const presentRule = (r: Rule) => ({ ...r });
const presentStrategy = (s: GroupStrategy) => ({ groupId: s.groupId, strategy: s.strategy, seniorAgentIds: s.seniorAgentIds });
const idParams = z.object({ id: uuid });
const tags = ['automations'];

export function registerAutomationRoutes(app: AppInstance, deps: AppDeps): void {
  app.get(
    '/api/v1/automations/rules',
    { schema: { tags, summary: 'Routing rules, triggers and time rules in their order (supervisors)', querystring: listRulesQuery, response: { 200: ruleListResponse } } },
    async (request) => ({ items: (await listRules(ctxOf(deps, request), request.query.kind)).map(presentRule) }),
  );
  app.post(
    '/api/v1/automations/rules',
    { schema: { tags, summary: 'Create a rule (admin); conditions use the filter language', body: createRuleRequest, response: { 201: ruleResponse } } },
    async (request, reply) => reply.status(201).send(presentRule(await createRule(ctxOf(deps, request), request.body))),
  );
  app.get(
    '/api/v1/automations/rules/:id',
    { schema: { tags, summary: 'One rule (supervisors)', params: idParams, response: { 200: ruleResponse } } },
    async (request) => presentRule(await getRule(ctxOf(deps, request), request.params.id)),
  );
  app.patch(
    '/api/v1/automations/rules/:id',
    { schema: { tags, summary: 'Change a rule: name, events, order, active flag, conditions, actions (admin)', params: idParams, body: updateRuleRequest, response: { 200: ruleResponse } } },
    async (request) => presentRule(await updateRule(ctxOf(deps, request), request.params.id, request.body)),
  );
  app.delete(
    '/api/v1/automations/rules/:id',
    { schema: { tags, summary: 'Delete a rule (admin)', params: idParams, response: { 200: okResponse } } },
    async (request) => {
      await deleteRule(ctxOf(deps, request), request.params.id);
      return { ok: true as const };
    },
  );
  app.post(
    '/api/v1/automations/sweep',
    { schema: { tags, summary: 'Run the time-rule sweep now (admin); returns what it did', response: { 200: sweepResponse } } },
    async (request) => {
      const ctx = ctxOf(deps, request);
      requireAdmin(ctx.actor);
      return sweepTimeRules(ctx);
    },
  );
  app.get(
    '/api/v1/groups/:id/assignment',
    { schema: { tags, summary: "A group's assignment strategy (staff)", params: idParams, response: { 200: groupStrategyResponse } } },
    async (request) => presentStrategy(await getGroupStrategy(ctxOf(deps, request), request.params.id)),
  );
  app.put(
    '/api/v1/groups/:id/assignment',
    { schema: { tags, summary: "Set a group's assignment strategy: manual, round_robin, least_loaded, skill_based (skill:<name> tags), vip (admin)", params: idParams, body: groupStrategyRequest, response: { 200: groupStrategyResponse } } },
    async (request) => presentStrategy(await setGroupStrategy(ctxOf(deps, request), request.params.id, request.body)),
  );
}
