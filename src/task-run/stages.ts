// Runs one stage's hooks of every task plugin concurrently, each bounded by a timeout, and collects their
// failures instead of throwing: the task run decides what they mean.
import type { Logger } from 'pino';
import { HookTimeoutError } from '../errors.js';
import type { HookOptions, TaskPlugin } from '../plugins/types.js';

export type StageName = 'buildSandbox' | 'started' | 'stopped' | 'finished' | 'exception';

/** A task plugin of the current run with the plugin's name. */
export interface ActivePlugin {
  readonly name: string;
  readonly hooks: TaskPlugin;
}

export interface StageFailure {
  readonly plugin: string;
  readonly error: unknown;
}

export interface StageOptions {
  readonly timeoutMs: number;
  /** When it aborts, the stage stops waiting for its hooks (they get the reason through their signal). */
  readonly signal?: AbortSignal;
  readonly workerLog: Logger;
}

type Invoke = (hooks: TaskPlugin, options: HookOptions) => void | Promise<void> | undefined;

/**
 * Calls `invoke` for every plugin that has the stage's hook. Resolves, in plugin order, with the failures:
 * a thrown error, a timeout (HookTimeoutError) or the abort reason of `options.signal`.
 */
export async function runStage(
  plugins: readonly ActivePlugin[],
  stage: StageName,
  invoke: Invoke,
  options: StageOptions,
): Promise<StageFailure[]> {
  const withHook = plugins.filter((plugin) => typeof plugin.hooks[stage] === 'function');
  const outcomes = await Promise.all(withHook.map((plugin) => runHook(plugin, stage, invoke, options)));
  return outcomes.filter((failure): failure is StageFailure => failure !== undefined);
}

async function runHook(
  plugin: ActivePlugin,
  stage: StageName,
  invoke: Invoke,
  options: StageOptions,
): Promise<StageFailure | undefined> {
  // The hook's signal is made when the hook first reads it: most hooks never do, and each stage of each run
  // calls every plugin's hook.
  let controller: AbortController | undefined;
  let stopped: { reason: unknown } | undefined;
  const hookOptions: HookOptions = {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (stopped) controller.abort(stopped.reason);
      }
      return controller.signal;
    },
  };
  const cleanups: Array<() => void> = [];
  const stop = new Promise<unknown>((resolve) => {
    const end = (reason: unknown): void => {
      stopped = { reason };
      controller?.abort(reason);
      resolve(reason);
    };
    const timer = setTimeout(
      () => end(new HookTimeoutError(plugin.name, stage, options.timeoutMs)),
      options.timeoutMs,
    );
    cleanups.push(() => clearTimeout(timer));
    const { signal } = options;
    if (signal) {
      const onAbort = (): void => end(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
    }
  });
  const hook = (async () => {
    await invoke(plugin.hooks, hookOptions);
  })();
  try {
    const stopped = await Promise.race([
      hook.then(() => ({ done: true as const })),
      stop.then((e) => ({ e })),
    ]);
    if ('e' in stopped) {
      // The hook keeps running in the background; its late rejection must not become unhandled.
      hook.catch((error: unknown) =>
        options.workerLog.warn(
          { plugin: plugin.name, stage, err: error },
          'hook failed after it was abandoned',
        ),
      );
      return { plugin: plugin.name, error: stopped.e };
    }
    return undefined;
  } catch (error) {
    return { plugin: plugin.name, error };
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}
