import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CsatScale } from '../../../contracts/csat.js';

/**
 * Survey links: `<ticketId>.<expiry, unix s>.<scale>.<HMAC>`. The rating is a query parameter:
 * the customer may pick any rating anyway, so only which ticket, until when and on which scale
 * are signed.
 */
const SCALE_CODE: Record<CsatScale, string> = { good_bad: 'g', five: 'f' };

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(`csat:${body}`).digest('base64url');

export function signSurveyToken(secret: string, ticketId: string, expiresAt: Date, scale: CsatScale): string {
  const body = `${ticketId}.${Math.floor(expiresAt.getTime() / 1000)}.${SCALE_CODE[scale]}`;
  return `${body}.${mac(secret, body)}`;
}

export type TokenCheck = { ok: true; ticketId: string; scale: CsatScale; expiresAt: Date } | { ok: false; reason: 'tampered' | 'expired' };

export function verifySurveyToken(secret: string, token: string, now: Date): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'tampered' };
  const [ticketId, exp, code, sig] = parts as [string, string, string, string];
  const expected = Buffer.from(mac(secret, `${ticketId}.${exp}.${code}`));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  const scale = (Object.keys(SCALE_CODE) as CsatScale[]).find((s) => SCALE_CODE[s] === code);
  if (!scale || !/^\d+$/.test(exp)) return { ok: false, reason: 'tampered' };
  const expiresAt = new Date(Number(exp) * 1000);
  if (expiresAt.getTime() < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, ticketId, scale, expiresAt };
}

/** The ratings a scale offers, best first as surveys usually show them. */
export function scaleOptions(scale: CsatScale): { value: number; label: string }[] {
  if (scale === 'good_bad') return [{ value: 1, label: 'Good' }, { value: 0, label: 'Bad' }];
  return [5, 4, 3, 2, 1].map((n) => ({ value: n, label: `${n} of 5` }));
}

export const ratingLabel = (scale: CsatScale, rating: number): string => scaleOptions(scale).find((o) => o.value === rating)?.label ?? String(rating);
