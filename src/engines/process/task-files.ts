// Hands out files of the task directory for upload, and nothing outside it: paths are resolved (symbolic
// links included) and must stay inside; only regular files are opened, so a FIFO can never block a read.
import { constants } from 'node:fs';
import { readdir, realpath, stat, open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { ArtifactSourceError, type ArtifactErrorReason } from '../../errors.js';
import type { SandboxFile } from '../types.js';

const readFlags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

export class TaskFiles {
  readonly #taskDir: string;
  #realRoot: Promise<string> | undefined;

  constructor(taskDir: string) {
    this.#taskDir = resolve(taskDir);
  }

  async readFile(path: string): Promise<SandboxFile> {
    const real = await this.#resolveInside(path);
    const info = await stat(real).catch((error: unknown) => rethrow(error, path));
    if (info.isDirectory()) fail('invalid-resource-on-worker', `${path} is a directory, not a file`);
    if (!info.isFile()) fail('invalid-resource-on-worker', `${path} is not a regular file`);
    // Opening proves the file is readable now, rather than failing in the middle of an upload.
    const handle = await open(real, readFlags).catch((error: unknown) => rethrow(error, path));
    await handle.close();
    const size = info.size;
    return {
      size,
      // Reads at most the size checked, so that the known length stays true if the file grows.
      open: () => Readable.from(readRange(real, size), { objectMode: false }),
    };
  }

  async walkDir(path: string): Promise<string[]> {
    const real = await this.#resolveInside(path);
    const info = await stat(real).catch((error: unknown) => rethrow(error, path));
    if (!info.isDirectory()) fail('invalid-resource-on-worker', `${path} is not a directory`);
    const files: string[] = [];
    await this.#walk(real, '', files, path);
    return files.sort();
  }

  async #walk(dir: string, prefix: string, files: string[], path: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) =>
      rethrow(error, path),
    );
    for (const entry of entries) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await this.#walk(join(dir, entry.name), rel, files, path);
      else if (entry.isFile()) files.push(rel);
      else if (entry.isSymbolicLink()) {
        // A link to a file is listed (readFile then decides whether it stays inside); links to directories
        // are not followed, so a loop cannot trap the walk.
        const target = await stat(join(dir, entry.name)).catch(() => undefined);
        if (target?.isFile()) files.push(rel);
      }
      // FIFOs, sockets and devices are never artifacts.
    }
  }

  /** The real path of `path` (relative to the task directory), or ArtifactSourceError. */
  async #resolveInside(path: string): Promise<string> {
    const lexical = resolve(this.#taskDir, path);
    // Refused before touching the disk, so a task cannot probe what exists elsewhere.
    if (!inside(this.#taskDir, lexical))
      fail('file-not-readable-on-worker', `${path} is outside the task directory`);
    const root = await (this.#realRoot ??= realpath(this.#taskDir));
    const real = await realpath(lexical).catch((error: unknown) => rethrow(error, path));
    if (!inside(root, real))
      fail(
        'file-not-readable-on-worker',
        `${path} leads outside the task directory (through a symbolic link)`,
      );
    return real;
  }
}

async function* readRange(path: string, size: number): AsyncGenerator<Buffer> {
  if (size === 0) return;
  const handle = await open(path, readFlags);
  try {
    for await (const chunk of handle.createReadStream({ start: 0, end: size - 1, autoClose: false }))
      yield chunk as Buffer;
  } finally {
    await handle.close();
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function fail(reason: ArtifactErrorReason, message: string): never {
  throw new ArtifactSourceError(reason, message);
}

function rethrow(error: unknown, path: string): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') fail('file-missing-on-worker', `${path} does not exist`);
  if (code === 'ELOOP') fail('invalid-resource-on-worker', `${path} is a loop of symbolic links`);
  throw new ArtifactSourceError(
    'file-not-readable-on-worker',
    `${path} cannot be read (${code ?? 'error'})`,
    {
      cause: error,
    },
  );
}
