// The `taskcluster-proxy` plugin (`features.taskclusterProxy`): for the task's lifetime, a proxy on an address
// of the host that the task can reach (the engine says which), which signs the task's calls to the
// deployment with the run's temporary credentials: the task's scopes without the task holding credentials.
// The task finds it at TASKCLUSTER_PROXY_URL. Each reclaim renews the credentials; the proxy uses the new
// ones from then on. It stops when the task's commands end.
import { FeatureNotSupportedError, MalformedPayloadError } from '../../errors.js';
import type { TaskclusterProxyConfig } from '../../generated/config/taskcluster-proxy.js';
import type { TaskclusterProxyPayload } from '../../generated/payload/taskcluster-proxy.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { Credentials } from '../../queue/types.js';
import type { PluginProvider } from '../types.js';
import { TaskclusterProxy } from './proxy-server.js';

export const taskclusterProxyPlugin: PluginProvider = {
  name: 'taskcluster-proxy',
  configSchema: loadSchema('config/taskcluster-proxy'),
  create: ({ config }) => {
    const enabled = (config as TaskclusterProxyConfig).taskclusterProxy?.enabled !== false;
    return {
      name: 'taskcluster-proxy',
      payloadSchema: loadSchema('payload/taskcluster-proxy'),
      forTask(ctx) {
        if ((ctx.payload as TaskclusterProxyPayload).features?.taskclusterProxy !== true) return undefined;
        if (!enabled)
          throw new MalformedPayloadError(
            'features.taskclusterProxy: the taskcluster proxy is not enabled on this worker pool',
          );
        const credentials = ctx.credentials;
        if (!credentials) throw new Error('the taskcluster proxy needs the run’s credentials');
        // The task's own scopes and the artifacts of its run, as generic-worker gives its proxy: through it a
        // task can neither reclaim nor resolve its run (the run's credentials could).
        const authorizedScopes = [
          ...(ctx.task.scopes ?? []),
          `queue:create-artifact:${ctx.taskId}/${ctx.runId}`,
        ];
        let last: { from: Credentials; to: Credentials } | undefined;
        const narrowed = (current: Credentials): Credentials => {
          if (last?.from !== current) last = { from: current, to: { ...current, authorizedScopes } };
          return last.to;
        };
        let proxy: TaskclusterProxy | undefined;
        let stopFollowing: (() => void) | undefined;
        const stop = async (): Promise<void> => {
          stopFollowing?.();
          const running = proxy;
          proxy = undefined;
          if (!running) return;
          await running.close();
          ctx.workerLog.debug({ requests: running.requests }, 'taskcluster proxy stopped');
        };
        return {
          async buildSandbox(builder) {
            const host = await builder.reachableHost?.();
            if (host === undefined)
              throw new FeatureNotSupportedError(
                'features.taskclusterProxy',
                'the task has no network to reach the worker’s host by (the sandbox engine gives it with ' +
                  'sandbox.allowNetwork and the network scope; the docker engine with a docker.network other than none)',
              );
            proxy = await TaskclusterProxy.start({
              rootUrl: ctx.worker.rootUrl,
              credentials: () => narrowed(credentials.current()),
              host,
              log: ctx.workerLog,
            });
            builder.setEnv('TASKCLUSTER_PROXY_URL', proxy.url);
            stopFollowing = credentials.onRenewed(() => {
              const { clientId } = credentials.current();
              ctx.log.info(
                `The taskcluster proxy now signs with the credentials of the latest reclaim (${clientId})`,
              );
              ctx.workerLog.info({ clientId }, 'taskcluster proxy credentials renewed');
            });
            // The URL's secret stays out of the log, which may be public.
            ctx.log.info(`Taskcluster proxy for ${ctx.worker.rootUrl} at TASKCLUSTER_PROXY_URL (on ${host})`);
          },
          stopped: stop,
          dispose: stop,
        };
      },
    };
  },
};
