// The `max-run-time` plugin: kills the task when its commands run longer than `maxRunTime` seconds. The
// clock starts when the task started and stops when its commands ended, so uploads are not counted.
import { MalformedPayloadError, TaskFailureError } from '../../errors.js';
import type { MaxRunTimePayload } from '../../generated/payload/max-run-time.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { PluginProvider } from '../types.js';

export const maxRunTimePlugin: PluginProvider = {
  name: 'max-run-time',
  create: ({ worker }) => ({
    name: 'max-run-time',
    payloadSchema: loadSchema('payload/max-run-time'),
    forTask(ctx) {
      const { maxRunTime } = ctx.payload as unknown as MaxRunTimePayload;
      if (maxRunTime > worker.maxTaskRunTime)
        throw new MalformedPayloadError(
          `payload.maxRunTime is ${maxRunTime} seconds, more than this worker's maximum of ${worker.maxTaskRunTime} seconds`,
        );
      let timer: NodeJS.Timeout | undefined;
      let exceeded = false;
      const stop = (): void => {
        clearTimeout(timer);
        timer = undefined;
      };
      return {
        started(sandbox) {
          timer = setTimeout(() => {
            exceeded = true;
            ctx.log.error(`Aborting task: max run time exceeded (${maxRunTime} seconds)`);
            sandbox
              .kill(`max run time of ${maxRunTime} seconds exceeded`)
              .catch((error: unknown) =>
                ctx.workerLog.error({ err: error }, 'killing the task at max run time failed'),
              );
          }, maxRunTime * 1000);
        },
        stopped(result) {
          stop();
          // The commands may have ended just before the kill: then they ran in time after all.
          if (exceeded && result.killed)
            throw new TaskFailureError(`the task exceeded its max run time of ${maxRunTime} seconds`);
        },
        dispose: stop,
      };
    },
  }),
};
