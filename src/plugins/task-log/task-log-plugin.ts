// The `task-log` plugin: publishes the task log as the backing log artifact once the log is closed, and
// points the live log name at it (the only place that does: the live-log plugin publishes the reference while
// the task runs, this link replaces it). It runs for malformed payloads too (the author needs the log that lists
// the problems), so it reads the raw payload defensively.
import { callQueue } from '../../artifact-upload/queue-call.js';
import { runUploadContext, type UploadOverrides } from '../../artifact-upload/run-upload-context.js';
import type { PutTarget } from '../../artifact-upload/put-with-retries.js';
import { createEarly, uploadArtifact } from '../../artifact-upload/upload-artifact.js';
import { openFileBody } from '../../artifact-upload/file-body.js';
import { memoryBody } from '../../artifact-upload/memory-body.js';
import { uploadSettingsFrom, type UploadSettings } from '../../artifact-upload/upload-settings.js';
import type { Resolution } from '../../errors.js';
import {
  defaultBackingLogName,
  defaultLiveLogName,
  liveLogEnabled,
  logContentType,
  taskLogSettings,
  type TaskLogSettings,
} from '../../log/log-artifacts.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { HookOptions, PluginProvider, TaskContext } from '../types.js';

// Re-exported for callers that knew them here; the shared module is the source.
export { defaultBackingLogName, defaultLiveLogName, taskLogSettings, type TaskLogSettings };

/** The plugin, with overrides for tests (fast retries, a fake object service client). */
export function createTaskLogPlugin(overrides: UploadOverrides = {}): PluginProvider {
  return {
    name: 'task-log',
    create: ({ config, payloadFormat }) => {
      const format = payloadFormat ?? 'generic-worker';
      // The backing log goes the way the task's artifacts go (the artifacts plugin's config keys).
      const uploads = uploadSettingsFrom(config);
      // A worker without a live log publishes only the backing log.
      const liveLogOffered = liveLogEnabled(config);
      return {
        name: 'task-log',
        payloadSchema: loadSchema(
          format === 'docker-worker' ? 'payload/docker-task-log' : 'payload/task-log',
        ),
        reservedArtifacts: [defaultLiveLogName, defaultBackingLogName],
        runsForMalformedPayload: true,
        forTask(ctx) {
          const parsed = taskLogSettings(ctx.payload, format);
          const settings = { ...parsed, liveLog: parsed.liveLog && liveLogOffered };
          if (!settings.backingLog) return undefined;
          let created: Promise<PutTarget> | undefined;
          return {
            // The backing log's artifact is created once the task runs: its round trip overlaps the task
            // instead of holding up the end of the run (a trivial task ends before it would come back). Until
            // the log is PUT at the end, fetching it answers 404 as before; a URL that expires during a long
            // task is replaced before the PUT. A run whose task never started creates it at the end.
            started() {
              created = createEarly({
                artifacts: ctx.artifacts,
                storageType: uploads.storageType,
                name: settings.backingName,
                contentType: logContentType,
                contentEncoding: 'gzip',
                expires: ctx.task.expires,
              });
            },
            async finished(resolution, options) {
              try {
                await publishLog(ctx, settings, uploads, overrides, options, created);
              } catch (error) {
                // A canceled run is no longer ours; the queue may refuse its artifacts.
                if (!isCanceled(resolution)) throw error;
                ctx.workerLog.warn({ err: error }, 'backing log of a canceled run not uploaded');
              }
            },
          };
        },
      };
    },
  };
}

export const taskLogPlugin: PluginProvider = createTaskLogPlugin();

async function publishLog(
  ctx: TaskContext,
  settings: TaskLogSettings,
  uploads: UploadSettings,
  overrides: UploadOverrides,
  options: HookOptions,
  created: Promise<PutTarget> | undefined,
): Promise<void> {
  const expires = ctx.task.expires;
  // The log is closed: its size is final. A short one was kept in memory too, and needs no reading (nor
  // waiting for the file's last write); a longer one is read from the file once that is complete.
  const kept = ctx.log.closedContents?.();
  if (!kept) await ctx.log.close?.();
  const source = kept
    ? { ...memoryBody(kept), close: () => Promise.resolve() }
    : await openFileBody(ctx.taskLogPath);
  let uploaded;
  try {
    uploaded = await uploadArtifact({
      ...runUploadContext(ctx, uploads, overrides),
      name: settings.backingName,
      source,
      contentType: logContentType,
      contentEncoding: 'gzip',
      expires,
      signal: options.signal,
      // The log is the worker's own closed file: reading it does not fail halfway.
      createWhilePreparing: true,
      ...(created ? { createdEarly: created } : {}),
    });
  } finally {
    await source.close();
  }
  // Tools (Treeherder, the UI) open the live log name; once the task ended it is the backing log.
  if (settings.liveLog && settings.liveName !== settings.backingName)
    await callQueue(`createArtifact ${settings.liveName} (link)`, () =>
      ctx.artifacts.createArtifact(settings.liveName, {
        storageType: 'link',
        artifact: settings.backingName,
        contentType: logContentType,
        expires,
      }),
    );
  ctx.workerLog.debug(
    {
      artifact: settings.backingName,
      size: uploaded.size,
      sentBytes: uploaded.sentBytes,
      storageType: uploaded.storageType,
      durationMs: Math.round(uploaded.durationMs),
    },
    'backing log uploaded',
  );
}

function isCanceled(resolution: Resolution): boolean {
  return resolution.kind === 'canceled';
}
