// The `task-log` plugin: publishes the task log as the backing log artifact once the log is closed, and
// points the live log name at it. It runs for malformed payloads too (the author needs the log that lists
// the problems), so it reads the raw payload defensively.
import { artifactNameProblem } from '../../artifact-upload/artifact-name.js';
import { callQueue } from '../../artifact-upload/queue-call.js';
import { runUploadContext, type UploadOverrides } from '../../artifact-upload/run-upload-context.js';
import { uploadArtifact } from '../../artifact-upload/upload-artifact.js';
import { openFileBody } from '../../artifact-upload/file-body.js';
import { uploadSettingsFrom, type UploadSettings } from '../../artifact-upload/upload-settings.js';
import type { Resolution } from '../../errors.js';
import type { TaskLogPayload } from '../../generated/payload/task-log.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { HookOptions, PluginProvider, TaskContext } from '../types.js';

export const defaultLiveLogName = 'public/logs/live.log';
export const defaultBackingLogName = 'public/logs/live_backing.log';
const logContentType = 'text/plain; charset=utf-8';

export interface TaskLogSettings {
  readonly liveName: string;
  readonly backingName: string;
  readonly backingLog: boolean;
  readonly liveLog: boolean;
}

/** The log settings of a payload that may not match the schema: anything unusable falls back to the default. */
export function taskLogSettings(payload: Record<string, unknown>): TaskLogSettings {
  const { logs, features } = payload as { logs?: unknown; features?: unknown };
  const logsPart = isRecord(logs) ? (logs as TaskLogPayload['logs'] & object) : {};
  const featuresPart = isRecord(features) ? (features as TaskLogPayload['features'] & object) : {};
  // A name that is not a valid artifact name (`..`, control characters) falls back too: the log must go up.
  const name = (value: unknown, fallback: string): string =>
    typeof value === 'string' && artifactNameProblem(value) === undefined ? value : fallback;
  return {
    liveName: name(logsPart.live, defaultLiveLogName),
    backingName: name(logsPart.backing, defaultBackingLogName),
    backingLog: featuresPart.backingLog !== false,
    liveLog: featuresPart.liveLog !== false,
  };
}

/** The plugin, with overrides for tests (fast retries, a fake object service client). */
export function createTaskLogPlugin(overrides: UploadOverrides = {}): PluginProvider {
  return {
    name: 'task-log',
    create: ({ config }) => {
      // The backing log goes the way the task's artifacts go (the artifacts plugin's config keys).
      const uploads = uploadSettingsFrom(config);
      return {
        name: 'task-log',
        payloadSchema: loadSchema('payload/task-log'),
        reservedArtifacts: [defaultLiveLogName, defaultBackingLogName],
        runsForMalformedPayload: true,
        forTask(ctx) {
          const settings = taskLogSettings(ctx.payload);
          if (!settings.backingLog) return undefined;
          return {
            async finished(resolution, options) {
              try {
                await publishLog(ctx, settings, uploads, overrides, options);
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
): Promise<void> {
  const expires = ctx.task.expires;
  // The log is closed: its size is final.
  const source = await openFileBody(ctx.taskLogPath);
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
  ctx.workerLog.info(
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
