// The `live-log` plugin: while the task runs, `logs.live` is a reference artifact to a webhook that streams
// the task log (every byte, from the file, to any number of readers). When the task ends the task-log plugin
// turns the name into a link to the backing log; this plugin only publishes the reference and serves it.
import { callQueue } from '../../artifact-upload/queue-call.js';
import { MalformedPayloadError } from '../../errors.js';
import {
  liveLogEnabled,
  liveLogRequested,
  logContentType,
  taskLogSettings,
} from '../../log/log-artifacts.js';
import { isFollowableTaskLog } from '../../log/task-log.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { AttachedHook } from '../../webhooks/types.js';
import type { PluginProvider, TaskContext } from '../types.js';
import { createLiveLogEndpoint } from './live-log-handler.js';

export interface LiveLogOptions {
  /** How long a reader that is still behind when the task ended may take for the rest (default 60 s). */
  readonly readerGraceMs?: number;
}

/** The reference only has to outlive the run (the link replaces it), never the task. */
const referenceMarginMs = 60 * 60 * 1000;

export function createLiveLogPlugin(options: LiveLogOptions = {}): PluginProvider {
  const readerGraceMs = options.readerGraceMs ?? 60_000;
  return {
    name: 'live-log',
    configSchema: loadSchema('config/live-log'),
    create: ({ config, webhooks, log, payloadFormat }) => {
      const enabled = liveLogEnabled(config);
      if (enabled && !webhooks) log.warn('no webhook server: the live log is disabled');
      // docker-worker calls the feature `localLiveLog`.
      const docker = payloadFormat === 'docker-worker';
      const feature = docker ? 'localLiveLog' : 'liveLog';
      return {
        name: 'live-log',
        payloadSchema: loadSchema(docker ? 'payload/docker-live-log' : 'payload/live-log'),
        forTask(ctx) {
          if (!enabled || !webhooks) {
            if (docker ? featureRequested(ctx.task.payload, feature) : liveLogRequested(ctx.task.payload))
              throw new MalformedPayloadError(
                `features.${feature}: the live log is not enabled on this worker pool (set features.${feature} ` +
                  'to false or leave it out)',
              );
            return undefined;
          }
          const settings = taskLogSettings(ctx.payload, payloadFormat ?? 'generic-worker');
          const wanted = settings.liveLog;
          const taskLog = ctx.log;
          if (!wanted || !isFollowableTaskLog(taskLog)) return undefined;
          const endpoint = createLiveLogEndpoint(taskLog, ctx.workerLog);
          let hook: AttachedHook | undefined;
          let published: Promise<unknown> | undefined;
          return {
            buildSandbox() {
              hook = webhooks.attach(endpoint.handler);
            },
            // Published once the task runs, so that starting it does not wait for the request to be made,
            // and not waited for: a viewer always streams from byte 0, so it misses nothing, and a short task
            // ends before the answer is back. The link that replaces the reference at the end goes out after
            // that answer (the run's artifact calls keep their order per name). A refusal still ends the
            // task, and the run reports it.
            started(sandbox) {
              if (!hook) return;
              const url = hook.url;
              published = callQueue(`createArtifact ${settings.liveName} (reference)`, () =>
                ctx.artifacts.createArtifact(settings.liveName, {
                  storageType: 'reference',
                  url,
                  contentType: logContentType,
                  expires: referenceExpiry(ctx),
                }),
              );
              published.catch(
                () => void sandbox.kill('the live log could not be published').catch(() => undefined),
              );
            },
            // The log is closed: readers get the rest and their responses end.
            async finished() {
              endpoint.expire(readerGraceMs);
              await published;
            },
            dispose() {
              // The link to the backing log is in place (or the run is over): new requests get 404.
              hook?.detach();
              endpoint.expire(readerGraceMs);
            },
          };
        },
      };
    },
  };
}

/** `payload.features[name]`, of a payload that may not match the schema. */
function featureOf(payload: unknown, name: string): unknown {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const features = (payload as { features?: unknown }).features;
  return typeof features === 'object' && features !== null
    ? (features as Record<string, unknown>)[name]
    : undefined;
}

/** The task asked for the feature explicitly (in its own payload, before the schema's defaults). */
function featureRequested(rawPayload: unknown, name: string): boolean {
  return featureOf(rawPayload, name) === true;
}

export const liveLogPlugin: PluginProvider = createLiveLogPlugin();

/** The deadline plus a margin, never past the task's expiry, never in the past. */
export function referenceExpiry(ctx: Pick<TaskContext, 'task'>, now = Date.now()): string {
  const expires = Date.parse(ctx.task.expires);
  const bound = Math.max(Date.parse(ctx.task.deadline), now) + referenceMarginMs;
  return new Date(Math.min(expires, bound)).toISOString();
}
