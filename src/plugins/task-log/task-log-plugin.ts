// The `task-log` plugin: publishes the task log as the backing log artifact once the log is closed, and
// points the live log name at it. It runs for malformed payloads too (the author needs the log that lists
// the problems), so it reads the raw payload defensively.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { uploadArtifact } from '../../artifact-upload/upload-artifact.js';
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
  const name = (value: unknown, fallback: string): string =>
    typeof value === 'string' && value.length > 0 ? value : fallback;
  return {
    liveName: name(logsPart.live, defaultLiveLogName),
    backingName: name(logsPart.backing, defaultBackingLogName),
    backingLog: featuresPart.backingLog !== false,
    liveLog: featuresPart.liveLog !== false,
  };
}

export const taskLogPlugin: PluginProvider = {
  name: 'task-log',
  create: () => ({
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
            await publishLog(ctx, settings, options);
          } catch (error) {
            // A canceled run is no longer ours; the queue may refuse its artifacts.
            if (!isCanceled(resolution)) throw error;
            ctx.workerLog.warn({ err: error }, 'backing log of a canceled run not uploaded');
          }
        },
      };
    },
  }),
};

async function publishLog(ctx: TaskContext, settings: TaskLogSettings, options: HookOptions): Promise<void> {
  const { size } = await stat(ctx.taskLogPath);
  const expires = ctx.task.expires;
  await uploadArtifact({
    artifacts: ctx.artifacts,
    name: settings.backingName,
    source: { size, open: () => createReadStream(ctx.taskLogPath) },
    contentType: logContentType,
    contentEncoding: 'gzip',
    expires,
    signal: options.signal,
    tempDir: ctx.scratchDir,
    workerLog: ctx.workerLog,
  });
  // Tools (Treeherder, the UI) open the live log name; once the task ended it is the backing log.
  if (settings.liveLog && settings.liveName !== settings.backingName)
    await ctx.artifacts.createArtifact(settings.liveName, {
      storageType: 'link',
      artifact: settings.backingName,
      contentType: logContentType,
      expires,
    });
  ctx.workerLog.info({ artifact: settings.backingName, size }, 'backing log uploaded');
}

function isCanceled(resolution: Resolution): boolean {
  return resolution.kind === 'canceled';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
