// The files of a stopped task container, as a result set hands them out: copied out with the daemon's archive
// call (what `docker cp` does), unpacked into a directory of the worker, and served from there. A path is
// absolute in the container (docker-worker's artifacts) or relative to the task directory. Symbolic links
// are followed inside the container (a few hops); a directory's links are not published.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { ArtifactSourceError } from '../../errors.js';
import { handleFile } from '../handle-file.js';
import type { ResultFiles } from '../shared/task-result-set.js';
import type { SandboxFile } from '../types.js';
import { extractArchive, type ExtractedEntry } from './archive-extract.js';
import { daemonCall, statusOf } from './daemon-call.js';

const maxLinkHops = 8;

interface Copied {
  readonly root: string;
  readonly entries: readonly ExtractedEntry[];
  /** The archive's top entry: the basename of the path asked for. */
  readonly top: ExtractedEntry | undefined;
}

export class ContainerFiles implements ResultFiles {
  readonly #container: Docker.Container;
  readonly #taskDir: string;
  readonly #timeoutMs: number;
  readonly #handles = new Set<FileHandle>();
  /** Container path -> its copy (a directory walked, then its files read). */
  readonly #copies = new Map<string, Promise<Copied>>();
  #scratch: Promise<string> | undefined;

  readonly #onClose: () => void;

  constructor(
    container: Docker.Container,
    taskDir: string,
    timeoutMs: number,
    onClose: () => void = () => {},
  ) {
    this.#container = container;
    this.#taskDir = taskDir;
    this.#timeoutMs = timeoutMs;
    this.#onClose = onClose;
  }

  async readFile(path: string): Promise<SandboxFile> {
    let target = this.#absolute(path);
    for (let hop = 0; ; hop++) {
      const local = await this.#fromWalkedDir(target);
      let top: ExtractedEntry | undefined;
      let localPath: string;
      if (local) {
        top = local.entry;
        localPath = local.path;
      } else {
        const copied = await this.#copy(target, path);
        top = copied.top;
        localPath = join(copied.root, top?.name ?? '');
      }
      if (!top) throw missing(path);
      if (top.kind === 'symlink' && top.linkTarget !== undefined) {
        if (hop >= maxLinkHops)
          throw new ArtifactSourceError('file-not-readable-on-worker', `${path}: too many symbolic links`);
        target = posix.resolve(posix.dirname(target), top.linkTarget);
        continue;
      }
      if (top.kind === 'directory')
        throw new ArtifactSourceError('invalid-resource-on-worker', `${path} is a directory, not a file`);
      if (top.kind !== 'file')
        throw new ArtifactSourceError('invalid-resource-on-worker', `${path} is not a regular file`);
      return this.#open(localPath, path);
    }
  }

  async walkDir(path: string): Promise<string[]> {
    const target = this.#absolute(path);
    const copied = await this.#copy(target, path);
    const top = copied.top;
    if (!top) throw missing(path);
    if (top.kind !== 'directory')
      throw new ArtifactSourceError('invalid-resource-on-worker', `${path} is not a directory`);
    const prefix = `${top.name}/`;
    return copied.entries
      .filter((entry) => entry.kind === 'file' && entry.name.startsWith(prefix))
      .map((entry) => entry.name.slice(prefix.length))
      .sort();
  }

  async close(): Promise<void> {
    this.#onClose();
    await Promise.all([...this.#handles].map((handle) => handle.close().catch(() => undefined)));
    this.#handles.clear();
    const scratch = await this.#scratch?.catch(() => undefined);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }

  #absolute(path: string): string {
    return posix.resolve(this.#taskDir, path);
  }

  /** A file inside a directory already copied out (walkDir, then readFile of each file). */
  async #fromWalkedDir(target: string): Promise<{ entry: ExtractedEntry; path: string } | undefined> {
    for (const [dir, copying] of this.#copies) {
      if (!target.startsWith(`${dir}/`)) continue;
      const copied = await copying.catch(() => undefined);
      if (copied?.top?.kind !== 'directory') continue;
      const name = posix.join(copied.top.name, target.slice(dir.length + 1));
      const entry = copied.entries.find((candidate) => candidate.name === name);
      if (entry) return { entry, path: join(copied.root, name) };
    }
    return undefined;
  }

  #copy(target: string, asked: string): Promise<Copied> {
    let copying = this.#copies.get(target);
    if (!copying) {
      copying = this.#copyOut(target, asked);
      this.#copies.set(target, copying);
    }
    return copying;
  }

  async #copyOut(target: string, asked: string): Promise<Copied> {
    this.#scratch ??= mkdtemp(join(tmpdir(), 'tc-worker-docker-files-'));
    const root = await mkdtemp(join(await this.#scratch, 'copy-'));
    let archive: Readable;
    try {
      archive = (await daemonCall('copy files out of the container', { timeoutMs: this.#timeoutMs }, () =>
        this.#container.getArchive({ path: target }),
      )) as Readable;
    } catch (error) {
      // A path through a file (`a.txt/x`) is an error of the daemon's lstat, not a 404.
      if (statusOf(error) === 404 || /not a directory/.test(String(error))) throw missing(asked);
      throw error;
    }
    const entries = await daemonCall(
      'read the archive of the container',
      { timeoutMs: this.#timeoutMs },
      () => extractArchive(archive, root),
    );
    return { root, entries, top: entries[0] };
  }

  async #open(localPath: string, asked: string): Promise<SandboxFile> {
    const handle = await open(localPath, 'r').catch(() => {
      throw new ArtifactSourceError('file-not-readable-on-worker', `${asked} could not be copied out`);
    });
    this.#handles.add(handle);
    const { size } = await handle.stat();
    return handleFile(handle, size, async () => {
      this.#handles.delete(handle);
      await handle.close();
    });
  }
}

function missing(path: string): ArtifactSourceError {
  return new ArtifactSourceError('file-missing-on-worker', `${path} does not exist in the container`);
}
