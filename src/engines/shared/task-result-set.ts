// The result set both engines hand back when a task's commands are done: the task's outcome as the worker
// reads it (a kill makes even a successful run fail), its files, and a dispose that kills the shells still
// open, closes the files and then releases what the engine held for the task (its directory, its sandbox).
import type { ResultSet, SandboxFile } from '../types.js';

/** How the commands of a task ended, before a kill is taken into account. */
export interface RunOutcome {
  readonly success: boolean;
  readonly exitCode: number;
  readonly failure?: string;
}

/** The task's files as a result set reads them. */
export interface ResultFiles {
  readFile(path: string): Promise<SandboxFile>;
  walkDir(path: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface ResultSetParts {
  readonly files: ResultFiles;
  readonly killShells: () => Promise<void>;
  /** Releases the engine's hold on the task, after the shells are dead and the files closed. */
  readonly release: () => Promise<void>;
}

export class TaskResultSet implements ResultSet {
  readonly success: boolean;
  readonly exitCode: number;
  readonly killed: boolean;
  readonly failure?: string;
  readonly #parts: ResultSetParts;

  constructor(outcome: RunOutcome & { killed: boolean }, parts: ResultSetParts) {
    this.#parts = parts;
    this.success = outcome.success && !outcome.killed;
    this.exitCode = outcome.killed && outcome.success ? -1 : outcome.exitCode;
    this.killed = outcome.killed;
    if (!this.success) this.failure = outcome.failure ?? 'the task was killed';
  }

  readFile(path: string): Promise<SandboxFile> {
    return this.#parts.files.readFile(path);
  }

  walkDir(path: string): Promise<string[]> {
    return this.#parts.files.walkDir(path);
  }

  async dispose(): Promise<void> {
    await this.#parts.killShells();
    await this.#parts.files.close();
    await this.#parts.release();
  }
}
