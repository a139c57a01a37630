import type { z } from 'zod';
import type { createCustomFieldRequest, updateCustomFieldRequest } from '../../../contracts/tickets.js';
import type { Ctx } from '../../platform/context.js';
import { recordAudit } from '../../platform/audit/audit.repository.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { conflict, invalidField, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { requireAdmin, requireStaff } from '../auth/index.js';
import { insertCustomField, listCustomFieldRows, updateCustomFieldRow, type CustomField } from './custom-fields.repository.js';

export async function listCustomFields(ctx: Ctx): Promise<CustomField[]> {
  requireStaff(ctx.actor);
  return listCustomFieldRows(ctx.db);
}

export async function createCustomField(ctx: Ctx, input: z.output<typeof createCustomFieldRequest>): Promise<CustomField> {
  requireAdmin(ctx.actor);
  if ((input.type === 'dropdown' || input.type === 'multi_select') && input.options.length === 0) {
    throw invalidField('options', `a ${input.type} field needs at least one option`);
  }
  return inTransaction(ctx, async (tx) => {
    const existing = await listCustomFieldRows(tx.db);
    if (existing.some((f) => f.key === input.key)) throw conflict(`A custom field with key "${input.key}" exists`, { field: 'key' });
    const at = tx.now.toISOString();
    const field: CustomField = { id: uuidv7(tx.now.getTime()), ...input, options: [...new Set(input.options)], active: true, createdAt: at, updatedAt: at };
    await insertCustomField(tx.db, field);
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
      requiredForTypes: input.requiredForTypes ?? field.requiredForTypes,
      position: input.position ?? field.position,
      active: input.active ?? field.active,
      updatedAt: tx.now.toISOString(),
    };
    if ((next.type === 'dropdown' || next.type === 'multi_select') && next.options.length === 0) throw invalidField('options', 'needs at least one option');
    await updateCustomFieldRow(tx.db, next);
    await recordAudit(tx, 'custom_field.updated', { type: 'custom_field', id }, { changed: Object.keys(input) });
    return next;
  });
}

function coerce(field: CustomField, value: unknown): unknown {
  const path = `customFields.${field.key}`;
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string') throw invalidField(path, 'must be text');
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidField(path, 'must be a number');
      return value;
    case 'checkbox':
      if (typeof value !== 'boolean') throw invalidField(path, 'must be true or false');
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw invalidField(path, 'must be a date YYYY-MM-DD');
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
  const fields = keys.length > 0 || opts.requireAll ? await listCustomFieldRows(ctx.db) : [];
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
      if (f.requiredForTypes.includes(ticketType) && (out[f.key] === undefined || out[f.key] === null || out[f.key] === '')) {
        throw invalidField(`customFields.${f.key}`, `is required for ${ticketType} tickets`);
      }
    }
  }
  return out;
}

/** A ticket whose type or fields change must still carry the fields its type requires. */
export async function assertRequiredFields(ctx: Ctx, ticketType: string, values: Record<string, unknown>): Promise<void> {
  for (const f of await listCustomFieldRows(ctx.db)) {
    const v = values[f.key];
    if (f.active && f.requiredForTypes.includes(ticketType) && (v === undefined || v === null || v === '')) {
      throw invalidField(`customFields.${f.key}`, `is required for ${ticketType} tickets`);
    }
  }
}
