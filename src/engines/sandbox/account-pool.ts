// Task users made ahead of time with what else their task will need (`prepare`: their cgroups and state
// directory, named after them), so that a task start waits for none of it. Still a fresh user per task: a
// pool user is handed to one task only and removed with it (TaskResources.release), never given back. Pool
// users carry the owner comment like any task user, so crash clean-up (leftovers.ts) removes those of a dead
// worker and leaves a live worker's alone. `osGroups` are the task's: its processes get them at start.
// What was prepared for a user no task took is undone (`discard`).
import type { Logger } from 'pino';
import type { TaskAccount } from './task-accounts.js';
import { poolAccountName } from './task-names.js';

/** What the pool needs of TaskAccounts (a fake in the unit tests). */
export interface PoolAccounts {
  create(name: string, comment: string): Promise<TaskAccount>;
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
   * A fresh user for one task, with the supplementary groups `gids`: from the pool, or made now when the
   * pool has none. The caller refills (fill()) once the task has started, so that preparing the next user
   * does not compete with that very start.
   */
  async take(gids: readonly number[]): Promise<TaskAccount> {
    if (this.#disposed) throw new Error('the sandbox engine is disposed');
    const next = this.#ready.shift();
    const account = await next;
    if (!account) {
      this.#options.log.warn('no sandbox pool user ready: making the task user on demand');
      const made = await this.#accounts.create(this.#newName(), this.#options.comment);
      return { ...made, groups: [...gids] };
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
      account = await this.#accounts.create(this.#newName(), this.#options.comment);
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
