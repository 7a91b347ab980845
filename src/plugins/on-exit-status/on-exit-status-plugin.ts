// The `on-exit-status` plugin: exit codes listed in `onExitStatus.retry` make the run an intermittent task
// (the queue retries it). `purgeCaches` is accepted; the caches plugin reads it.
import { IntermittentTaskError } from '../../errors.js';
import type { OnExitStatusPayload } from '../../generated/payload/on-exit-status.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { PluginProvider } from '../types.js';

export const onExitStatusPlugin: PluginProvider = {
  name: 'on-exit-status',
  create: () => ({
    name: 'on-exit-status',
    payloadSchema: loadSchema('payload/on-exit-status'),
    forTask(ctx) {
      const retry = new Set((ctx.payload as OnExitStatusPayload).onExitStatus?.retry ?? []);
      if (retry.size === 0) return undefined;
      return {
        stopped(result) {
          // A kill (max run time) is not the task's own exit; success is never overridden.
          if (result.success || result.killed || !retry.has(result.exitCode)) return;
          ctx.log.info(
            `Exit code ${result.exitCode} is listed in onExitStatus.retry: the task will be retried`,
          );
          throw new IntermittentTaskError(result.exitCode);
        },
      };
    },
  }),
};
