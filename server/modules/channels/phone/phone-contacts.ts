import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import { createContact, findContactByPhone, normalizePhone, type Contact } from '../../contacts/index.js';

/**
 * The contact a phone number belongs to, made (named after the number, or the caller's name when
 * known) when nobody has it. Two first messages from one number at once: the loser of the race
 * finds the winner's contact.
 */
export async function findOrCreateContactByPhone(ctx: Ctx, phone: string, name?: string): Promise<{ contact: Contact; created: boolean }> {
  const number = normalizePhone(phone);
  const found = await findContactByPhone(ctx, number);
  if (found) return { contact: found, created: false };
  try {
    const contact = await createContact(ctx, { name: name?.trim() || number, emails: [], phones: [number], organizationId: null, vip: false, notes: '' });
    return { contact, created: true };
  } catch (err) {
    if (err instanceof AppError && err.code === 'conflict') {
      const again = await findContactByPhone(ctx, number);
      if (again) return { contact: again, created: false };
    }
    throw err;
  }
}
