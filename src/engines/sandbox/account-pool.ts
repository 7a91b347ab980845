// Task users made ahead of time, so that useradd (some 10 ms, serialised machine-wide by the lock of
// /etc/passwd) runs in the background between tasks instead of at each task's start. Still a fresh user per
// task: a pool user is handed to one task only and removed with it (TaskResources.release), never given back.
// Pool users carry the owner comment like any task user, so crash clean-up (leftovers.ts) removes those of a
// dead worker and leaves a live worker's alone. `osGroups` are the task's: added when the task takes the user.
// The engine may have more made for each user ahead of time (`prepare`: its cgroups and state directory,
// which are named after it), and undone for a user no task took (`discard`).
import type { Logger } from 'pino';
import type { TaskAccount } from './task-accounts.js';
import { poolAccountName } from './task-names.js';

/** What the pool needs of TaskAccounts (a fake in the unit tests). */
export interface PoolAccounts {
  create(
    name: string,
    comment: string,
    groups: readonly string[],
    gids: readonly number[],
  ): Promise<TaskAccount>;
  addToGroups(name: string, groups: readonly string[]): Promise<void>;
  remove(name: string): Promise<void>;
}

export interface AccountPoolOptions {
  /** Users kept ready: the worker's capacity (tasks that may start at once). */
  readonly size: number;
  /** The owner comment (worker-owner.ts) every user gets. */
  readonly comment: string;
  readonly log: Logger;
  /** New names; poolAccountName by default. */
  readonly newName?: () => string;
  /** What else to make for a new user before it is ready; a failure removes the user. */
  readonly prepare?: (account: TaskAccount) => Promise<void>;
  /** Undoes `prepare` for a user that is removed without a task (before the user goes). */
  readonly discard?: (account: TaskAccount) => Promise<void>;
}

export class AccountPool {
  readonly #accounts: PoolAccounts;
  readonly #options: AccountPoolOptions;
  /** Users being made or made, not handed out yet; undefined where making one failed. */
  readonly #ready: Promise<TaskAccount | undefined>[] = [];
  #disposed = false;

  constructor(accounts: PoolAccounts, options: AccountPoolOptions) {
    this.#accounts = accounts;
    this.#options = options;
  }

  /** Starts making users in the background until `size` are ready or on the way. */
  fill(): void {
    while (!this.#disposed && this.#ready.length < this.#options.size) this.#ready.push(this.#make());
  }

  /**
   * A fresh user for one task, in `groups`: from the pool, or made now when the pool has none. The caller
   * refills (fill()) once the task has started: a useradd spawned now would slow down that very start.
   */
  async take(groups: readonly string[], gids: readonly number[]): Promise<TaskAccount> {
    if (this.#disposed) throw new Error('the sandbox engine is disposed');
    const next = this.#ready.shift();
    const account = await next;
    if (!account) {
      this.#options.log.warn('no sandbox pool user ready: making the task user on demand');
      return this.#accounts.create(this.#newName(), this.#options.comment, groups, gids);
    }
    try {
      await this.#accounts.addToGroups(account.name, groups);
    } catch (error) {
      // Taken is spent: a user never goes to another task, even one that never ran.
      await this.#remove(account);
      throw error;
    }
    return { ...account, groups: [...gids], prepared: this.#options.prepare !== undefined };
  }

  /** Removes the users no task took (awaiting those still being made). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const left = this.#ready.splice(0);
    await Promise.all(
      left.map(async (pending) => {
        const account = await pending;
        if (account) await this.#remove(account);
      }),
    );
  }

  async #make(): Promise<TaskAccount | undefined> {
    let account: TaskAccount;
    try {
      account = await this.#accounts.create(this.#newName(), this.#options.comment, [], []);
    } catch (error) {
      this.#options.log.warn({ err: error }, 'could not make a sandbox pool user; a task will make its own');
      return undefined;
    }
    try {
      await this.#options.prepare?.(account);
      return account;
    } catch (error) {
      this.#options.log.warn({ err: error, name: account.name }, 'could not prepare a sandbox pool user');
      await this.#remove(account);
      return undefined;
    }
  }

  /** Undoes what was prepared, then removes the user (last: it names the owner of the rest). */
  async #remove(account: TaskAccount): Promise<void> {
    try {
      await this.#options.discard?.(account);
      await this.#accounts.remove(account.name);
    } catch (error) {
      this.#options.log.error({ err: error, name: account.name }, 'could not remove a sandbox pool user');
    }
  }

  #newName(): string {
    return (this.#options.newName ?? poolAccountName)();
  }
}
