// The `env` plugin: the payload's environment variables, then the variables the worker forces (task and
// worker identity), which a payload cannot override.
import type { EnvPayload } from '../../generated/payload/env.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { PluginProvider, TaskContext } from '../types.js';

/** The variables the worker sets for every task, after the payload's. */
export function forcedEnvironment(ctx: TaskContext): Record<string, string> {
  const { worker } = ctx;
  return {
    TASK_ID: ctx.taskId,
    RUN_ID: String(ctx.runId),
    TASK_GROUP_ID: ctx.task.taskGroupId,
    TASK_WORKDIR: ctx.taskDir,
    TASKCLUSTER_ROOT_URL: worker.rootUrl,
    ...(worker.workerLocation !== undefined ? { TASKCLUSTER_WORKER_LOCATION: worker.workerLocation } : {}),
    ...(worker.instanceType !== undefined ? { TASKCLUSTER_INSTANCE_TYPE: worker.instanceType } : {}),
  };
}

export const envPlugin: PluginProvider = {
  name: 'env',
  create: () => ({
    name: 'env',
    payloadSchema: loadSchema('payload/env'),
    forTask(ctx) {
      const payloadEnv = (ctx.payload as EnvPayload).env ?? {};
      const forced = forcedEnvironment(ctx);
      return {
        buildSandbox(builder) {
          for (const [name, value] of Object.entries(payloadEnv)) {
            if (value === undefined) continue;
            if (Object.hasOwn(forced, name))
              ctx.log.warn(`env.${name} is set by the worker; the payload's value is ignored`);
            else builder.setEnv(name, value);
          }
          for (const [name, value] of Object.entries(forced)) builder.setEnv(name, value);
        },
      };
    },
  }),
};
