import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { AppError, invalidField } from '../errors.js';

export interface UploadedFile {
  /**
   * The file's bytes. It fails, rather than ends, when the file is over the limit or empty, so
   * whoever stores it can throw away what it wrote: the parser cuts an oversized file off at
   * the limit and ends the stream normally, which reads like a complete file of exactly that size.
   */
  stream: Readable;
  filename: string;
  contentType: string;
}

/** C0, DEL and C1 controls: no file name shows them, a header cannot carry them, PostgreSQL cannot store NUL. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const FIELD = 'file';
const PATH = `body.${FIELD}`;

/**
 * The one file of a multipart upload, sent in the field "file". Everything that can be checked
 * before a byte is written is checked here; a refused file is drained so the rest of the
 * request is still read.
 */
export async function readUploadedFile(request: FastifyRequest, maxBytes: number): Promise<UploadedFile> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', `Send the file as multipart/form-data in the field "${FIELD}"`);
  const parts = request.parts({ limits: { fileSize: maxBytes } });
  const first = await parts.next().catch((err: unknown) => {
    throw asUploadError(err);
  });
  const part = first.done ? undefined : first.value;
  if (!part) throw invalidField(PATH, 'missing');
  if (part.type !== 'file') throw invalidField(PATH, `send the file in the multipart field "${FIELD}", not the text field "${part.fieldname.slice(0, 100)}"`);
  const refuse = (message: string): never => {
    part.file.resume();
    throw invalidField(PATH, message);
  };
  if (part.fieldname !== FIELD) refuse(`send the file in the multipart field "${FIELD}", not "${part.fieldname.slice(0, 100)}"`);
  if (CONTROL.test(part.filename)) refuse('the file name must not contain control characters');
  return { stream: Readable.from(guarded(part.file, maxBytes, parts)), filename: part.filename, contentType: part.mimetype };
}

type Parts = ReturnType<FastifyRequest['parts']>;

async function* guarded(source: Readable & { truncated?: boolean }, maxBytes: number, rest: Parts): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw asUploadError(err);
  }
  if (source.truncated) throw new AppError('payload_too_large', `Files may be at most ${Math.round(maxBytes / 1024 / 1024)} MB`);
  if (size === 0) throw invalidField(PATH, 'is empty');
  // One file per request: a second part used to be dropped without a word while the answer named only the first.
  const next = await rest.next().catch((err: unknown) => {
    throw asUploadError(err);
  });
  if (!next.done) {
    if (next.value.type === 'file') next.value.file.resume();
    throw invalidField(PATH, 'send one file per request');
  }
}

/**
 * The parser's own limits keep their 413; anything else it throws (no boundary, a body cut off
 * before the closing boundary, a malformed part header) is a body that is not multipart.
 */
function asUploadError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (status === 413) return err;
  const reason = err instanceof Error ? err.message.slice(0, 200) : 'unreadable';
  return invalidField('body', `is not valid multipart/form-data (${reason})`);
}
