import type { z } from 'zod';
import { isBlankText, trimBlankEdges, type createCustomFieldRequest, type updateCustomFieldRequest } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { forgetInTransaction, onceInTransaction } from '../../platform/db/transaction-memo.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { insertCustomField, listCustomFieldRows, updateCustomFieldRow, type CustomField } from './custom-fields.repository.js';

export async function listCustomFields(ctx: Ctx): Promise<CustomField[]> {
  requireStaff(ctx.actor);
  return listCustomFieldRows(ctx.db);
}

/** Only a choice has options: a text or number field with options would show a list it never checks against. */
function assertOptionsFit(type: CustomField['type'], options: readonly string[]): void {
  const choice = type === 'dropdown' || type === 'multi_select';
  if (choice && options.length === 0) throw invalidField('options', `a ${type} field needs at least one option`);
  if (!choice && options.length > 0) throw invalidField('options', `a ${type} field has no options (only dropdown and multi_select do)`);
}

export async function createCustomField(ctx: Ctx, input: z.output<typeof createCustomFieldRequest>): Promise<CustomField> {
  requireAdmin(ctx.actor);
  assertOptionsFit(input.type, input.options);
  return inTransaction(ctx, async (tx) => {
    const existing = await listCustomFieldRows(tx.db);
    if (existing.some((f) => f.key === input.key)) throw conflict(`A custom field with key "${input.key}" exists`, { field: 'key' });
    const at = tx.now.toISOString();
    const field: CustomField = { id: uuidv7(tx.now.getTime()), ...input, options: [...new Set(input.options)], requiredForTypes: [...new Set(input.requiredForTypes)], active: true, createdAt: at, updatedAt: at };
    await insertCustomField(tx.db, field);
    forgetInTransaction(tx.db, DEFINITIONS);
    await recordAudit(tx, 'custom_field.created', { type: 'custom_field', id: field.id }, { key: field.key, fieldType: field.type });
    return field;
  });
}

export async function updateCustomField(ctx: Ctx, id: string, input: z.output<typeof updateCustomFieldRequest>): Promise<CustomField> {
  requireAdmin(ctx.actor);
  return inTransaction(ctx, async (tx) => {
    const field = (await listCustomFieldRows(tx.db)).find((f) => f.id === id);
    if (!field) throw notFound('Custom field');
    const next: CustomField = {
      ...field,
      label: input.label ?? field.label,
      options: input.options ? [...new Set(input.options)] : field.options,
      requiredForTypes: input.requiredForTypes ? [...new Set(input.requiredForTypes)] : field.requiredForTypes,
      position: input.position ?? field.position,
      active: input.active ?? field.active,
      updatedAt: tx.now.toISOString(),
    };
    if (input.options) assertOptionsFit(next.type, next.options);
    await updateCustomFieldRow(tx.db, next);
    forgetInTransaction(tx.db, DEFINITIONS);
    await recordAudit(tx, 'custom_field.updated', { type: 'custom_field', id }, { changed: Object.keys(input) });
    return next;
  });
}

/**
 * A YYYY-MM-DD day that exists. Date.parse alone is not enough: it rolls 2026-02-30 over to
 * 2 March, so the day must come back unchanged from the date it parses to.
 */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const at = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === value;
}

function coerce(field: CustomField, value: unknown): unknown {
  const path = `customFields.${field.key}`;
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string') throw invalidField(path, 'must be text');
      // Stored as shown: spaces and zero-width characters at the ends would only defeat filters.
      return trimBlankEdges(value);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidField(path, 'must be a number');
      return value;
    case 'checkbox':
      if (typeof value !== 'boolean') throw invalidField(path, 'must be true or false');
      return value;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) throw invalidField(path, 'must be a date YYYY-MM-DD that exists in the calendar');
      return value;
    case 'dropdown':
      if (typeof value !== 'string' || !field.options.includes(value)) throw invalidField(path, `must be one of ${field.options.join(', ')}`);
      return value;
    case 'multi_select': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !field.options.includes(v))) {
        throw invalidField(path, `must be a list of ${field.options.join(', ')}`);
      }
      return [...new Set(value as string[])];
    }
  }
}

/**
 * What a required field does not accept: no value, a cleared one, text that shows nothing
 * (spaces, zero-width or other invisible characters, as the ticket subject), or no choice.
 */
function isMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return isBlankText(value);
  return Array.isArray(value) && value.length === 0;
}

const DEFINITIONS = 'custom-fields';

/** The field definitions, read once per transaction: a batch of new tickets checks each ticket against them. */
const customFieldDefinitions = (ctx: Ctx) => onceInTransaction(ctx.db, DEFINITIONS, () => listCustomFieldRows(ctx.db));

/**
 * Checks values against the admin-defined fields: unknown keys and wrong types are rejected,
 * and (on create) fields required for the ticket type must be present. `null` clears a value.
 */
export async function validateCustomFields(
  ctx: Ctx,
  ticketType: string,
  values: Record<string, unknown>,
  opts: { requireAll: boolean },
): Promise<Record<string, unknown>> {
  const keys = Object.keys(values);
  const fields = keys.length > 0 || opts.requireAll ? await customFieldDefinitions(ctx) : [];
  const byKey = new Map(fields.filter((f) => f.active).map((f) => [f.key, f]));
  const known = new Set(fields.map((f) => f.key));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    // Clearing a value of a deactivated field is allowed; writing one is not.
    if (value === null && known.has(key)) {
      out[key] = null;
      continue;
    }
    const field = byKey.get(key);
    if (!field) throw invalidField(`customFields.${key}`, 'unknown custom field');
    out[key] = coerce(field, value);
  }
  if (opts.requireAll) {
    for (const f of byKey.values()) {
      if (f.requiredForTypes.includes(ticketType) && isMissing(out[f.key])) {
        throw invalidField(`customFields.${f.key}`, `is required for ${ticketType} tickets`);
      }
    }
  }
  return out;
}

/**
 * Values checked without a ticket, as a rule's "set custom fields" action holds them: known,
 * active fields with values of their type (errors name `customFields.<key>`). Whether a ticket's
 * type requires a field is a question for the ticket the values are later applied to.
 */
export async function checkCustomFieldValues(ctx: Ctx, values: Record<string, unknown>): Promise<void> {
  await validateCustomFields(ctx, '', values, { requireAll: false });
}

/** A ticket whose type or fields change must still carry the fields its type requires. */
export async function assertRequiredFields(ctx: Ctx, ticketType: string, values: Record<string, unknown>): Promise<void> {
  for (const f of await customFieldDefinitions(ctx)) {
    if (f.active && f.requiredForTypes.includes(ticketType) && isMissing(values[f.key])) {
      throw invalidField(`customFields.${f.key}`, `is required for ${ticketType} tickets`);
    }
  }
}
