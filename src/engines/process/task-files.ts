// Hands out files of the task directory for upload, and nothing outside it or beyond the task user's rights.
// A path is resolved (symbolic links included) and must stay inside; the file is checked with stat, opened
// without following a last link and without blocking (a FIFO or device can never hang the worker), and the
// opened descriptor is checked again (same file, regular, really inside, readable by the task user), so a
// file swapped between the check and the open is refused. Reads then use that descriptor only.
import { constants } from 'node:fs';
import { open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ArtifactSourceError, type ArtifactErrorReason } from '../../errors.js';
import { handleFile } from '../handle-file.js';
import type { SandboxFile } from '../types.js';
import { permits, workerUser, type FileUser } from './task-user.js';

const readFlags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY;

export class TaskFiles {
  readonly #taskDir: string;
  readonly #user: FileUser;
  readonly #open = new Set<FileHandle>();
  /** Directories the task user may search, by real path (the task has ended: they no longer change). */
  readonly #searchable = new Map<string, Promise<boolean>>();
  #realRoot: Promise<string> | undefined;

  constructor(taskDir: string, user: FileUser = workerUser()) {
    this.#taskDir = resolve(taskDir);
    this.#user = user;
  }

  async readFile(path: string): Promise<SandboxFile> {
    const real = await this.#resolveInside(path);
    const info = await stat(real).catch((error: unknown) => rethrow(error, path));
    if (info.isDirectory()) fail('invalid-resource-on-worker', `${path} is a directory, not a file`);
    if (!info.isFile()) fail('invalid-resource-on-worker', `${path} is not a regular file (${kindOf(info)})`);
    const handle = await open(real, readFlags).catch((error: unknown) =>
      // With O_NOFOLLOW, ELOOP means the file became a symbolic link after it was checked.
      (error as NodeJS.ErrnoException).code === 'ELOOP'
        ? fail('file-not-readable-on-worker', `${path} changed while it was being checked`)
        : rethrow(error, path),
    );
    try {
      const opened = await handle.stat();
      if (!opened.isFile() || opened.ino !== info.ino || opened.dev !== info.dev)
        fail('file-not-readable-on-worker', `${path} changed while it was being checked`);
      await this.#checkOpenedInside(handle, path);
      if (!permits(opened, this.#user, 4) || !(await this.#canReach(dirname(real))))
        fail(
          'file-not-readable-on-worker',
          `${path} is not readable by the task user (mode ${modeText(opened.mode)}, owner ${opened.uid}:${opened.gid})`,
        );
      this.#open.add(handle);
      return this.#sandboxFile(handle, opened.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async walkDir(path: string): Promise<string[]> {
    const real = await this.#resolveInside(path);
    const info = await stat(real).catch((error: unknown) => rethrow(error, path));
    if (!info.isDirectory()) fail('invalid-resource-on-worker', `${path} is not a directory`);
    if (!permits(info, this.#user, 4) || !(await this.#canReach(real)))
      fail('file-not-readable-on-worker', `${path} is not readable by the task user`);
    const files: string[] = [];
    await this.#walk(real, '', files, path);
    return files.sort();
  }

  /** Closes every file still open (the result set is disposed). */
  async close(): Promise<void> {
    const handles = [...this.#open];
    this.#open.clear();
    await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
  }

  #sandboxFile(handle: FileHandle, size: number): SandboxFile {
    return handleFile(handle, size, async () => {
      if (this.#open.delete(handle)) await handle.close();
    });
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
    if (path.includes('\0'))
      fail('file-not-readable-on-worker', `${JSON.stringify(path)} contains a NUL character`);
    const lexical = resolve(this.#taskDir, path);
    // Refused before touching the disk, so a task cannot probe what exists elsewhere.
    if (!inside(this.#taskDir, lexical))
      fail('file-not-readable-on-worker', `${path} is outside the task directory`);
    const root = await this.#root();
    const real = await realpath(lexical).catch((error: unknown) => rethrow(error, path));
    if (!inside(root, real))
      fail(
        'file-not-readable-on-worker',
        `${path} leads outside the task directory (through a symbolic link)`,
      );
    return real;
  }

  /** Where the descriptor really points (Linux): catches a directory swapped for a link after realpath. */
  async #checkOpenedInside(handle: FileHandle, path: string): Promise<void> {
    const target = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (target !== undefined && !inside(await this.#root(), target.replace(/ \(deleted\)$/, '')))
      fail('file-not-readable-on-worker', `${path} leads outside the task directory`);
  }

  /** Whether the task user may search every directory from the task directory down to `dir` (real paths). */
  async #canReach(dir: string): Promise<boolean> {
    const root = await this.#root();
    if (!inside(root, dir)) return false;
    let cached = this.#searchable.get(dir);
    if (!cached) {
      cached = (async () => {
        const info = await stat(dir).catch(() => undefined);
        if (!info || !permits(info, this.#user, 1)) return false;
        return dir === root || this.#canReach(dirname(dir));
      })();
      this.#searchable.set(dir, cached);
    }
    return cached;
  }

  #root(): Promise<string> {
    return (this.#realRoot ??= realpath(this.#taskDir));
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function kindOf(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function fail(reason: ArtifactErrorReason, message: string): never {
  throw new ArtifactSourceError(reason, message);
}

function rethrow(error: unknown, path: string): never {
  if (error instanceof ArtifactSourceError) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') fail('file-missing-on-worker', `${path} does not exist`);
  if (code === 'ELOOP') fail('invalid-resource-on-worker', `${path} is a loop of symbolic links`);
  if (code === 'ENXIO' || code === 'ENODEV')
    fail('invalid-resource-on-worker', `${path} is not a regular file`);
  throw new ArtifactSourceError(
    'file-not-readable-on-worker',
    `${path} cannot be read (${code ?? 'error'})`,
    {
      cause: error,
    },
  );
}
