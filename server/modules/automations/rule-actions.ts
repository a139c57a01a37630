import type { RuleAction } from '../../../contracts/automations.js';
import { systemActor, type Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { emit } from '../../platform/events/emit.js';
import { uuidv7 } from '../../platform/ids.js';
import { addMessageToTicket } from '../messages/index.js';
import { appendTicketEvents, applyChanges, requireTicketById, type Ticket } from '../tickets/index.js';
import { assignByStrategy } from './assignment.service.js';
import type { Rule } from './automations.repository.js';
import type { LoadedTicket } from './rule-facts.js';
import { sendRuleMail } from './rule-mail.js';
import { automationReferences } from './rule-references.js';
import { applyPolicy } from './sla-port.js';

/** The actor of a rule's changes: ticket events show `system` / `rule:<id>` with the rule's id and name in their data. */
export const ruleCtx = (ctx: Ctx, rule: Rule): Ctx => ({ ...ctx, actor: systemActor(`rule:${rule.id}`) });
export const ruleData = (rule: Rule) => ({ ruleId: rule.id, ruleName: rule.name });

export interface ActionOutcome {
  ticket: Ticket;
  stop: boolean;
  /** What each action did, for the `rule_applied` event. */
  done: { type: RuleAction['type']; result: string }[];
}

/**
 * Runs a rule's actions in order on one ticket, in the caller's transaction. Every change is a
 * ticket event carrying the rule; an action that cannot apply (a status the ticket cannot move
 * to, an agent who left) is recorded as skipped and the others still run.
 * `cause` makes side effects idempotent per run (the customer email's dedupe key).
 */
export async function runActions(ctx: Ctx, rule: Rule, loaded: LoadedTicket, cause: string): Promise<ActionOutcome> {
  const rctx = ruleCtx(ctx, rule);
  const data = ruleData(rule);
  let ticket = loaded.ticket;
  let stop = false;
  const done: ActionOutcome['done'] = [];
  const change = async (patch: Parameters<typeof applyChanges>[2]): Promise<string> => {
    try {
      const after = await applyChanges(rctx, ticket, patch, data);
      const result = after === ticket ? 'unchanged' : 'changed';
      ticket = after;
      return result;
    } catch (err) {
      if (err instanceof AppError) return `skipped: ${err.message}`;
      throw err;
    }
  };
  for (const a of rule.actions) {
    let result = 'done';
    switch (a.type) {
      case 'set_group':
        result = await change({ groupId: a.groupId });
        break;
      case 'assign':
        if (a.userId) result = await change({ assigneeId: a.userId });
        else {
          const chosen = await assignByStrategy(ctx, ticket);
          result = chosen ? await change({ assigneeId: chosen }) : 'nobody available';
        }
        break;
      case 'set_priority':
        result = await change({ priority: a.priority });
        break;
      case 'set_type':
        result = await change({ type: a.value });
        break;
      case 'set_status':
        result = await change({ status: a.status });
        break;
      case 'add_tags':
        result = await change({ addTags: a.tags });
        break;
      case 'remove_tags':
        result = await change({ removeTags: a.tags });
        break;
      case 'set_custom_fields':
        result = await change({ customFields: a.values });
        break;
      case 'escalate': {
        result = await change({ groupId: a.groupId, assigneeId: null, addTags: ['escalated'] });
        const chosen = await assignByStrategy(ctx, ticket);
        if (chosen) result = `${result}; assigned: ${await change({ assigneeId: chosen })}`;
        break;
      }
      case 'apply_sla':
        result = (await applyPolicy(rctx, ticket.id, a.policyId)) ? 'applied' : 'skipped: unknown SLA policy';
        break;
      case 'add_note': {
        const out = await addMessageToTicket(rctx, ticket, { kind: 'note', body: a.body, format: 'text', attachmentIds: [] });
        ticket = out.ticket;
        break;
      }
      case 'notify':
        await emit(rctx, 'automation.notify', { ticketId: ticket.id, number: ticket.number, userIds: a.userIds, groupIds: a.groupIds, text: a.text, ruleId: rule.id });
        break;
      case 'send_webhook': {
        // The delivery is queued, not made: a webhook that is gone or switched off would drop it
        // unseen, so the rule's record says so rather than reporting a send.
        const [hook] = await automationReferences().webhooks(ctx, [a.webhookId]);
        if (!hook || !hook.active) {
          result = hook ? 'skipped: webhook switched off' : 'skipped: unknown webhook';
          break;
        }
        result = 'queued';
        const t = ticket;
        const snapshot = { subject: t.subject, status: t.status, priority: t.priority, type: t.type, channel: t.channel, assigneeId: t.assigneeId, groupId: t.groupId, tags: t.tags };
        await emit(rctx, 'automation.webhook', { ticketId: t.id, number: t.number, webhookId: a.webhookId, ruleId: rule.id, ruleName: rule.name, ticket: snapshot });
        break;
      }
      case 'email_customer':
        result = await sendRuleMail(rctx, { ticket, messages: loaded.messages, requesterName: loaded.requesterName, subject: a.subject, body: a.body, dedupeKey: `automation:${rule.id}:${ticket.id}:${cause}` });
        break;
      case 'stop':
        stop = true;
        break;
    }
    done.push({ type: a.type, result });
    if (stop) break;
  }
  const at = ctx.now.toISOString();
  await appendTicketEvents(ctx.db, [
    { id: uuidv7(ctx.now.getTime()), ticketId: ticket.id, actorType: 'system', actorId: `rule:${rule.id}`, action: 'rule_applied', from: null, to: { ruleId: rule.id, name: rule.name, kind: rule.kind, actions: done }, data, at },
  ]);
  // Later rules in the same run see the ticket as the earlier ones left it.
  return { ticket: await requireTicketById(ctx, ticket.id), stop, done };
}
