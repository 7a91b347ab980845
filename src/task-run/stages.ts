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
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  const stop = new Promise<unknown>((resolve) => {
    const timer = setTimeout(() => {
      const error = new HookTimeoutError(plugin.name, stage, options.timeoutMs);
      controller.abort(error);
      resolve(error);
    }, options.timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    const { signal } = options;
    if (signal) {
      const onAbort = (): void => {
        controller.abort(signal.reason);
        resolve(signal.reason);
      };
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
    }
  });
  const hook = (async () => {
    await invoke(plugin.hooks, { signal: controller.signal });
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
