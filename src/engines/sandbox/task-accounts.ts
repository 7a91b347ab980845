// The OS users of tasks: one fresh system user per task run (with a group of its own and no home, shell or
// password), made with useradd and removed with userdel. Calls are serialised within the worker, and retried
// while another process (another worker, a package install) holds the lock of /etc/passwd.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { FileUser } from '../process/task-user.js';
import { outputText } from './child-output.js';
import { parseGroupFile } from './os-groups.js';
import { taskUserPattern } from './task-names.js';

const run = promisify(execFile);
const toolEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

export interface TaskAccount extends FileUser {
  readonly name: string;
  /** From the pool, with its cgroups (the worker's default limits) and state directory made already. */
  readonly prepared?: boolean;
}

export interface AccountTools {
  readonly useradd: string;
  readonly userdel: string;
  readonly groupdel: string;
  readonly nologin: string;
}

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly comment: string;
}

export function parsePasswdFile(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid, gid, comment] = line.split(':');
    if (!name || uid === undefined || gid === undefined) continue;
    entries.push({ name, uid: Number(uid), gid: Number(gid), comment: comment ?? '' });
  }
  return entries;
}

export class TaskAccounts {
  readonly #tools: AccountTools;
  readonly #passwdFile: string;
  readonly #groupFile: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(tools: AccountTools, files: { passwd?: string; group?: string } = {}) {
    this.#tools = tools;
    this.#passwdFile = files.passwd ?? '/etc/passwd';
    this.#groupFile = files.group ?? '/etc/group';
  }

  /** Groups of the machine by name (for `osGroups`). */
  async groups(): Promise<Map<string, number>> {
    return parseGroupFile(await readFile(this.#groupFile, 'utf8'));
  }

  /** The engine's task users that exist (by name shape), with their comments. */
  async list(): Promise<PasswdEntry[]> {
    const entries = parsePasswdFile(await readFile(this.#passwdFile, 'utf8'));
    return entries.filter((entry) => taskUserPattern.test(entry.name));
  }

  create(
    name: string,
    comment: string,
    groups: readonly string[],
    gids: readonly number[],
  ): Promise<TaskAccount> {
    return this.#serial(async () => {
      await this.#tool(this.#tools.useradd, [
        '--system',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--user-group',
        '--shell',
        this.#tools.nologin,
        '--comment',
        comment,
        ...(groups.length > 0 ? ['--groups', groups.join(',')] : []),
        name,
      ]);
      const entry = parsePasswdFile(await readFile(this.#passwdFile, 'utf8')).find((e) => e.name === name);
      if (!entry) throw new Error(`useradd made no user ${name}`);
      return { name, uid: entry.uid, gid: entry.gid, groups: [...gids] };
    });
  }

  /**
   * Adds a user made ahead of time to the task's groups (`osGroups` are per task, so not given at creation).
   * usermod comes with useradd (package passwd), so it is where useradd is.
   */
  addToGroups(name: string, groups: readonly string[]): Promise<void> {
    if (groups.length === 0) return Promise.resolve();
    const usermod = join(dirname(this.#tools.useradd), 'usermod');
    return this.#serial(() => this.#tool(usermod, ['--append', '--groups', groups.join(','), name]));
  }

  /** Removes the user and its group; a user that is already gone is fine. */
  remove(name: string): Promise<void> {
    return this.#serial(async () => {
      // Exit 6: no such user. The group of the same name normally goes with it (USERGROUPS_ENAB).
      await this.#tool(this.#tools.userdel, [name], [6]);
      const groups = await this.groups();
      if (groups.has(name)) await this.#tool(this.#tools.groupdel, [name], [6]);
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Runs a tool; retries while /etc/passwd or /etc/group is locked by someone else. */
  async #tool(file: string, args: string[], okCodes: readonly number[] = []): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await run(file, args, { env: toolEnv, timeout: 30_000 });
        return;
      } catch (error) {
        const failure = error as { code?: unknown; stderr?: unknown; message: string };
        if (typeof failure.code === 'number' && okCodes.includes(failure.code)) return;
        const stderr = outputText(failure.stderr);
        if (/lock/i.test(stderr) && attempt < 40) {
          await sleep(Math.min(25 * attempt, 250));
          continue;
        }
        throw new Error(`${file} ${args.join(' ')} failed: ${stderr || failure.message}`, { cause: error });
      }
    }
  }
}
