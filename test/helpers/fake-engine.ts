// A small engine for plugin and task-run tests: no processes, a scripted outcome, an in-memory task
// directory, and a record of what the task run asked of it.
import { Readable } from 'node:stream';
import { ArtifactSourceError } from '../../src/errors.js';
import type {
  Engine,
  EngineTaskContext,
  ResultSet,
  Sandbox,
  SandboxBuilder,
} from '../../src/engines/types.js';

export interface FakeEngineOptions {
  /** Exit code of the task (default 0). */
  exitCode?: number;
  /** Task output written to the log. */
  output?: string;
  /** `true`: the task runs until killed or aborted (default: it ends at once). */
  runsUntilKilled?: boolean;
  /** Files of the task directory, by relative path; a path ending in `/` is an empty directory. */
  files?: Record<string, string>;
  /** Thrown by prepare. */
  prepareError?: Error;
  /** What `reachableHost` answers (null: undefined, no address); absent: the builder has no such method. */
  reachableHost?: string | null;
}

export class FakeEngine implements Engine {
  readonly name = 'fake';
  readonly payloadSchema = {
    type: 'object',
    properties: { command: { type: 'array', description: 'ignored by the fake engine' } },
  };
  /** What happened, in order: prepare, start, kill:<reason>, wait, dispose, abort. */
  readonly events: string[] = [];
  readonly env = new Map<string, string>();
  readonly options: FakeEngineOptions;
  ctx: EngineTaskContext | undefined;

  constructor(options: FakeEngineOptions = {}) {
    this.options = options;
  }

  prepare(ctx: EngineTaskContext): Promise<SandboxBuilder> {
    this.ctx = ctx;
    this.events.push('prepare');
    if (this.options.prepareError !== undefined) return Promise.reject(this.options.prepareError);
    return Promise.resolve({
      setEnv: (name, value) => void this.env.set(name, value),
      ...(this.options.reachableHost !== undefined
        ? { reachableHost: () => Promise.resolve(this.options.reachableHost ?? undefined) }
        : {}),
      start: () => {
        this.events.push('start');
        return Promise.resolve(this.#sandbox(ctx));
      },
    });
  }

  #sandbox(ctx: EngineTaskContext): Sandbox {
    const { options, events } = this;
    let killed = false;
    let finish!: () => void;
    const ended = new Promise<void>((resolve) => (finish = resolve));
    if (options.output) ctx.log.write(options.output);
    if (!options.runsUntilKilled) finish();
    const onAbort = (): void => {
      events.push('abort');
      finish();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    return {
      wait: async (): Promise<ResultSet> => {
        await ended;
        ctx.signal.removeEventListener('abort', onAbort);
        events.push('wait');
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const exitCode = killed ? -1 : (options.exitCode ?? 0);
        return this.#resultSet(exitCode, killed);
      },
      kill: (reason) => {
        events.push(`kill:${reason}`);
        killed = true;
        finish();
        return Promise.resolve();
      },
    };
  }

  #resultSet(exitCode: number, killed: boolean): ResultSet {
    const files = this.options.files ?? {};
    const success = exitCode === 0 && !killed;
    return {
      success,
      exitCode,
      killed,
      ...(success ? {} : { failure: killed ? 'the fake task was killed' : `exit code ${exitCode}` }),
      readFile: (path) => {
        const content = files[path];
        if (content === undefined) {
          const isDir = Object.keys(files).some((name) => name.startsWith(`${path}/`));
          return Promise.reject(
            isDir
              ? new ArtifactSourceError('invalid-resource-on-worker', `${path} is a directory, not a file`)
              : new ArtifactSourceError('file-missing-on-worker', `${path} does not exist`),
          );
        }
        const bytes = Buffer.from(content);
        return Promise.resolve({ size: bytes.length, open: () => Readable.from([bytes]) });
      },
      walkDir: (path) => {
        if (files[path] !== undefined)
          return Promise.reject(
            new ArtifactSourceError('invalid-resource-on-worker', `${path} is not a directory`),
          );
        const prefix = `${path}/`;
        const names = Object.keys(files).filter((name) => name.startsWith(prefix));
        if (names.length === 0)
          return Promise.reject(new ArtifactSourceError('file-missing-on-worker', `${path} does not exist`));
        return Promise.resolve(
          names
            .map((name) => name.slice(prefix.length))
            .filter((rel) => rel !== '' && !rel.endsWith('/'))
            .sort(),
        );
      },
      dispose: () => {
        this.events.push('dispose');
        return Promise.resolve();
      },
    };
  }
}
