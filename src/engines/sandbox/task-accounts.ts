// The users of tasks: one fresh uid per task run, taken from a range reserved for the engine
// (`sandbox.taskUids`), never written into the host's /etc/passwd. useradd and userdel cost some 25 ms of
// CPU per task, take the machine-wide lock of /etc/passwd (which package installs and configuration
// management hold too) and leave users behind when a worker dies between the two; a bare uid needs none
// of that. Inside its sandbox the user has its name all the same: the engine binds a passwd and a group
// file with its entries over the host's (sandbox-identity.ts).
//
// A uid in use has a record, <stateDir>/uids/<uid>, created exclusively (two engines sharing the state
// directory never take the same uid) and holding the user's name and owner. The record goes last, after
// everything of the task (processes, cgroups, files): a uid is handed out again only once nothing of its
// previous task is left, so every task starts as a user that owns nothing on the machine. The small files
// (records, the host's passwd and group) are read and written synchronously: microseconds each, where the
// thread pool costs some 50 microseconds of the event loop per step, for every task.
import { randomInt } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileUser } from '../process/task-user.js';
import { parseGroupFile } from './os-groups.js';
import { taskUserPattern } from './task-names.js';

export interface TaskAccount extends FileUser {
  readonly name: string;
  /** From the pool, with its cgroups (the worker's default limits) and state directory made already. */
  readonly prepared?: boolean;
}

/** The uids the engine may give to tasks: `first` to `first + count - 1`. */
export interface UidRange {
  readonly first: number;
  readonly count: number;
}

/** The record of a uid in use. */
export interface AccountRecord {
  readonly name: string;
  readonly uid: number;
  /** The owner comment (worker-owner.ts): whose task user it is. */
  readonly comment: string;
  /** The task directory the user was given (noteTaskDir), which clean-up after a crash removes. */
  readonly taskDir?: string;
}

/** Ids taken by the host's own users and groups, which a task never gets even inside the range. */
export function hostIds(passwdText: string, groupText: string): Set<number> {
  const ids = new Set<number>();
  for (const line of passwdText.split('\n')) {
    const uid = Number(line.split(':')[2]);
    if (line.trim() !== '' && Number.isSafeInteger(uid)) ids.add(uid);
  }
  for (const gid of parseGroupFile(groupText).values()) ids.add(gid);
  return ids;
}

export class TaskAccounts {
  readonly #range: UidRange;
  readonly #recordsDir: string;
  readonly #passwdFile: string;
  readonly #groupFile: string;
  /** Where the search for a free uid goes on: uids go round the range, so one is reused as late as can be. */
  #next: number;
  /** The uids of this engine's records, by user name. */
  readonly #uids = new Map<string, number>();
  #madeDir: Promise<unknown> | undefined;

  constructor(range: UidRange, stateDir: string, files: { passwd?: string; group?: string } = {}) {
    if (!Number.isSafeInteger(range.first) || range.first < 1 || range.count < 1)
      throw new Error(`the task uid range ${range.first}+${range.count} is not valid`);
    this.#range = range;
    this.#recordsDir = join(stateDir, 'uids');
    this.#passwdFile = files.passwd ?? '/etc/passwd';
    this.#groupFile = files.group ?? '/etc/group';
    // Engines of several workers on one machine start their searches apart.
    this.#next = randomInt(range.count);
  }

  /** Groups of the machine by name (for `osGroups`). */
  groups(): Promise<Map<string, number>> {
    return Promise.resolve(parseGroupFile(readFileSync(this.#groupFile, 'utf8')));
  }

  /** Every uid in use by a sandbox engine on this machine (this one's and others'), from the records. */
  async list(): Promise<AccountRecord[]> {
    const records: AccountRecord[] = [];
    for (const entry of await readdir(this.#recordsDir).catch(() => [] as string[])) {
      const uid = Number(entry);
      if (!/^\d+$/.test(entry)) continue;
      const text = await readFile(join(this.#recordsDir, entry), 'utf8').catch(() => undefined);
      const [name = '', comment = '', taskDir = ''] = (text ?? '').split('\n');
      if (taskUserPattern.test(name))
        records.push({ name, uid, comment, ...(taskDir.startsWith('/') ? { taskDir } : {}) });
    }
    return records;
  }

  /** A uid for the user `name`, free machine-wide, recorded as the owner's (`comment`). */
  async create(name: string, comment: string): Promise<TaskAccount> {
    if (!taskUserPattern.test(name)) throw new Error(`${name} is not a task user name`);
    this.#madeDir ??= mkdir(this.#recordsDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      this.#madeDir = undefined;
      throw error;
    });
    await this.#madeDir;
    const taken = hostIds(readFileSync(this.#passwdFile, 'utf8'), readFileSync(this.#groupFile, 'utf8'));
    // Each call walks the whole range once from the cursor, so that a call racing others (here or in
    // another engine) fails only when every uid is really in use.
    const start = this.#next;
    for (let step = 0; step < this.#range.count; step++) {
      const offset = (start + step) % this.#range.count;
      const uid = this.#range.first + offset;
      if (taken.has(uid)) continue;
      try {
        writeFileSync(join(this.#recordsDir, String(uid)), `${name}\n${comment}\n`, {
          flag: 'wx',
          mode: 0o600,
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      this.#next = (offset + 1) % this.#range.count;
      this.#uids.set(name, uid);
      // Its own group, of the same number (the host's groups have none of the range's ids either).
      return { name, uid, gid: uid, groups: [] };
    }
    throw new Error(
      `every uid of the task uid range ${this.#range.first}-${this.#range.first + this.#range.count - 1} ` +
        'is in use (sandbox.taskUids): widen it, or see whether a worker left tasks behind',
    );
  }

  /**
   * Adds the task directory to the user's record, before the task gets it: should the worker die, the next
   * one removes that directory with the rest, so that a later task given the same uid never finds files
   * of this one's on the machine (a symlink in its own directory could otherwise publish them).
   */
  noteTaskDir(account: TaskAccount, comment: string, taskDir: string): void {
    if (taskDir.includes('\n')) throw new Error(`a task directory cannot hold a newline: ${taskDir}`);
    writeFileSync(join(this.#recordsDir, String(account.uid)), `${account.name}\n${comment}\n${taskDir}\n`, {
      mode: 0o600,
    });
  }

  /** Frees the user's uid; a user that is already gone is fine. */
  async remove(name: string): Promise<void> {
    let uid = this.#uids.get(name);
    uid ??= (await this.list()).find((record) => record.name === name)?.uid;
    if (uid === undefined) return;
    rmSync(join(this.#recordsDir, String(uid)), { force: true });
    this.#uids.delete(name);
  }
}
