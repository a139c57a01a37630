import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Blob exceeds ${limit} bytes`);
  }
}

export interface StoredBlob {
  sha256: string;
  size: number;
}

/**
 * Content-addressed files under `<dataDir>/blobs/ab/cd/<sha256>`: the same bytes are stored
 * once, writes go to a temp file and are renamed into place so a crash never leaves half a blob.
 */
export class BlobStore {
  constructor(readonly root: string) {}

  private pathOf(sha: string): string {
    return join(this.root, sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  async put(source: Readable | Buffer, maxBytes: number): Promise<StoredBlob> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    const tmp = join(this.root, 'tmp', randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new BlobTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const input = Buffer.isBuffer(source) ? (await import('node:stream')).Readable.from([source]) : source;
    // Opened before the first byte is read: a write stream opens its file in the background, and a
    // source that fails at once could reject the pipeline before that open, leaving a file behind.
    const handle = await open(tmp, 'wx');
    try {
      await pipeline(input, meter, handle.createWriteStream());
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const sha256 = hash.digest('hex');
    const final = this.pathOf(sha256);
    await mkdir(join(final, '..'), { recursive: true });
    await rename(tmp, final);
    return { sha256, size };
  }

  async exists(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  open(sha256: string): Readable {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad blob id');
    return createReadStream(this.pathOf(sha256));
  }
}
