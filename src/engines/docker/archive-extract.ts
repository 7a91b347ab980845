// Unpacks a tar stream the daemon sends (GET /containers/<id>/archive: what is at a path of a container) into
// a directory of the worker. The archive comes from the task's container, so it is not trusted: only
// directories and regular files are written, every name must stay inside the target, nothing is executable
// or owned by anyone but the worker; symbolic links are reported, not created.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface ExtractedEntry {
  /** The entry's name as the archive has it, normalized (`dir/sub/file`). */
  readonly name: string;
  readonly kind: EntryKind;
  readonly size: number;
  /** Of a symbolic link. */
  readonly linkTarget?: string;
}

/** A name inside the archive, or undefined for one that would leave the target (`..`, absolute). */
export function safeEntryName(name: string): string | undefined {
  const normal = posix.normalize(name).replace(/\/+$/, '');
  if (
    normal === '' ||
    normal === '.' ||
    normal.startsWith('/') ||
    normal === '..' ||
    normal.startsWith('../')
  )
    return undefined;
  return normal;
}

function kindOf(type: string | null | undefined): EntryKind {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  if (type === 'directory') return 'directory';
  if (type === 'symlink') return 'symlink';
  return 'other';
}

/** Extracts `archive` under `target` (which exists); returns every entry seen, in archive order. */
export async function extractArchive(archive: Readable, target: string): Promise<ExtractedEntry[]> {
  const entries: ExtractedEntry[] = [];
  const unpack = extract();
  archive.once('error', (error) => unpack.destroy(error));
  archive.pipe(unpack);
  for await (const entry of unpack) {
    const header = entry.header;
    const name = safeEntryName(header.name);
    const kind = kindOf(header.type);
    if (name === undefined) {
      entry.resume();
      continue;
    }
    entries.push({
      name,
      kind,
      size: header.size ?? 0,
      ...(header.linkname ? { linkTarget: header.linkname } : {}),
    });
    const path = join(target, name);
    if (kind === 'directory') {
      await mkdir(path, { recursive: true, mode: 0o700 });
      entry.resume();
    } else if (kind === 'file') {
      await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
      // `wx`: a name given twice, or a file under a name that was a link, is not written through.
      await pipeline(entry, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } else entry.resume();
  }
  return entries;
}
