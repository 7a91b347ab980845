// The engine's spawner, started in the background when the engine is made and again should it die: until
// one runs (or where none can be built), commands start with Node's spawn, so nothing waits for it. It is
// built once per machine and user into a private directory under the system's temporary directory (every
// worker of the user shares the build), or where that directory is not safely the worker's own (someone
// else made it, or may write it), into the given one.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ownedAlone } from './owned-alone.js';
import { Spawner } from './spawner.js';

/** Restarts after the spawner died, before the engine keeps Node's spawn for good. */
const maxRestarts = 5;

export class SpawnerSupply {
  readonly #dir: string;
  readonly #log: Logger;
  #current: Spawner | undefined;
  #starting: Promise<void> | undefined;
  #starts = 0;
  #stopped = false;

  constructor(dir: string, log: Logger) {
    this.#dir = dir;
    this.#log = log;
    this.#start();
  }

  /** The running spawner, if there is one now. */
  current(): Spawner | undefined {
    if (this.#current?.alive) return this.#current;
    this.#start();
    return undefined;
  }

  /** Resolves once the first start has succeeded or failed (tests, benchmarks). */
  async ready(): Promise<boolean> {
    await this.#starting;
    return this.#current?.alive ?? false;
  }

  stop(): void {
    this.#stopped = true;
    this.#current?.stop();
  }

  #start(): void {
    if (this.#starting || this.#stopped || this.#starts > maxRestarts) return;
    this.#starts++;
    this.#starting = (async () => {
      const shared = join(tmpdir(), `tc-worker-helpers-${process.getuid?.() ?? 'user'}`);
      const dir = (await privateDir(shared)) ? shared : this.#dir;
      if (dir !== shared) await mkdir(dir, { recursive: true, mode: 0o700 });
      const spawner = await Spawner.start(dir, this.#log);
      // No spawner: no compiler, or its build does not work here; that will not change.
      if (!spawner) this.#starts = maxRestarts + 1;
      this.#current = spawner;
    })()
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'cannot start the process spawner; commands use Node’s spawn');
        this.#starts = maxRestarts + 1;
      })
      .finally(() => (this.#starting = undefined));
  }
}

/** Makes `dir`, and says whether it is the worker's alone: its own user's, a directory, mode 0700. */
async function privateDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  return ownedAlone(dir, 'directory', 0o077);
}
