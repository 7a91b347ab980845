// BlobStore on the local file system. Each blob is `<sha256(key)>.<random>.data` plus `<sha256(key)>.json`
// holding its metadata; the metadata is written to a temporary file and renamed into place last, as the
// marker that the blob is complete, so a crash of the process never leaves a torn blob. With `syncToDisk`
// the files and the directory are also fsynced before the upload is acknowledged, so that power loss cannot
// tear one.
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobMetadata, BlobStore, PutBlobOptions, StoredBlob } from './types.js';

interface MetadataFile extends BlobMetadata {
  key: string;
  size: number;
  /** Which data file belongs to this metadata (a re-upload writes a new one). */
  dataFile: string;
}

/**
 * Uploads announced at most this long (most task logs and small artifacts) are collected in memory and
 * written with synchronous calls: a handful of system calls into the page cache take microseconds, where the
 * same steps through the thread pool cost a round trip each, which every short task waits for.
 */
export const smallBlobLimit = 256 * 1024;

const fsyncPath = async (path: string): Promise<void> => {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

export class FileBlobStore implements BlobStore {
  private readonly dir: string;

  private readonly syncToDisk: boolean;

  /** The directory is made once, by the first upload. */
  private made: Promise<unknown> | undefined;

  constructor(dir: string, options: { syncToDisk?: boolean } = {}) {
    this.dir = dir;
    this.syncToDisk = options.syncToDisk ?? false;
  }

  private base(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  async put(key: string, body: Readable, options: PutBlobOptions): Promise<{ size: number }> {
    const metadata: BlobMetadata = { contentType: options.contentType };
    if (options.contentEncoding !== undefined) metadata.contentEncoding = options.contentEncoding;
    this.made ??= mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.made = undefined;
      throw error;
    });
    await this.made;
    const base = this.base(key);
    const suffix = randomBytes(6).toString('hex');
    const dataFile = `${base}.${suffix}.data`;
    // The data file has a name of its own, which only the metadata (renamed into place last) points to: it
    // needs no rename. A crash leaves at most an unreferenced data file, never a torn blob.
    const dataPath = join(this.dir, dataFile);
    const tmpMeta = join(this.dir, `${base}.${suffix}.json.tmp`);
    if (!this.syncToDisk && options.contentLength !== undefined && options.contentLength <= smallBlobLimit) {
      const data = await collect(body, options.contentLength);
      return this.putSmall(key, data, { dataFile, dataPath, tmpMeta, metadata });
    }
    try {
      const out = createWriteStream(dataPath, { flags: 'wx' });
      await pipeline(body, out);
      if (this.syncToDisk) await fsyncPath(dataPath);
      const size = out.bytesWritten;
      const previous = await this.readMetadata(key);
      const meta: MetadataFile = { key, size, dataFile, ...metadata };
      if (this.syncToDisk) {
        const handle = await open(tmpMeta, 'wx');
        try {
          await handle.writeFile(JSON.stringify(meta));
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        // One call instead of open, write and close: a small upload waits for each of them.
        await writeFile(tmpMeta, JSON.stringify(meta), { flag: 'wx' });
      }
      await rename(tmpMeta, this.metadataPath(key));
      if (this.syncToDisk) await fsyncPath(this.dir);
      if (previous && previous.dataFile !== dataFile) {
        await rm(join(this.dir, previous.dataFile), { force: true });
      }
      return { size };
    } catch (error) {
      await rm(dataPath, { force: true });
      await rm(tmpMeta, { force: true });
      throw error;
    }
  }

  /** The same steps as put, synchronously, for a body already in memory. */
  private putSmall(
    key: string,
    data: Buffer,
    files: { dataFile: string; dataPath: string; tmpMeta: string; metadata: BlobMetadata },
  ): { size: number } {
    const { dataFile, dataPath, tmpMeta, metadata } = files;
    try {
      writeFileSync(dataPath, data, { flag: 'wx' });
      const previous = this.readMetadataSync(key);
      const meta: MetadataFile = { key, size: data.length, dataFile, ...metadata };
      writeFileSync(tmpMeta, JSON.stringify(meta), { flag: 'wx' });
      renameSync(tmpMeta, this.metadataPath(key));
      if (previous && previous.dataFile !== dataFile)
        rmSync(join(this.dir, previous.dataFile), { force: true });
      return { size: data.length };
    } catch (error) {
      rmSync(dataPath, { force: true });
      rmSync(tmpMeta, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const meta = await this.readMetadata(key);
    if (!meta) return undefined;
    const body = createReadStream(join(this.dir, meta.dataFile));
    // Surface a missing data file as "not found" rather than a stream error mid-response.
    const opened = await new Promise<boolean>((resolve) => {
      body.once('open', () => resolve(true));
      body.once('error', () => resolve(false));
    });
    if (!opened) return undefined;
    const blob: StoredBlob = { size: meta.size, body, contentType: meta.contentType };
    if (meta.contentEncoding !== undefined) blob.contentEncoding = meta.contentEncoding;
    return blob;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private metadataPath(key: string): string {
    return join(this.dir, `${this.base(key)}.json`);
  }

  private readMetadataSync(key: string): MetadataFile | undefined {
    try {
      return metadataOf(readFileSync(this.metadataPath(key), 'utf8'), key);
    } catch (error) {
      return missingMetadata(error);
    }
  }

  private async readMetadata(key: string): Promise<MetadataFile | undefined> {
    try {
      return metadataOf(await readFile(this.metadataPath(key), 'utf8'), key);
    } catch (error) {
      return missingMetadata(error);
    }
  }
}

/** A metadata file's text, when it is this key's (another key with the same hash is not). */
function metadataOf(text: string, key: string): MetadataFile | undefined {
  const meta = JSON.parse(text) as MetadataFile;
  return meta.key === key ? meta : undefined;
}

/** No metadata file: no blob. Anything else is a real failure. */
function missingMetadata(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}

/** The whole body, which must be the announced `length` bytes (HTTP itself holds a request to it). */
async function collect(body: Readable, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > length) throw new Error(`the body is longer than the announced ${length} bytes`);
    chunks.push(chunk);
  }
  if (received < length) throw new Error(`the body ended after ${received} of ${length} bytes`);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
}
