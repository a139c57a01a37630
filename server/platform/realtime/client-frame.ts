import type { z } from 'zod';
import { textProblems } from '../http/text-guard.js';

/** A frame a socket client sent, checked against its protocol; the error names the bad field. */
export function parseClientFrame<S extends z.ZodTypeAny>(schema: S, text: string): { ok: true; frame: z.output<S> } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Frames are JSON objects' };
  }
  const problem = textProblems(raw, 'frame')[0];
  if (problem) return { ok: false, message: `${problem.path}: ${problem.message}` };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'frame'}: ${issue?.message ?? 'invalid'}` };
}
