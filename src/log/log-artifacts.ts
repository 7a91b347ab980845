// The names and switches of the task log's artifacts, shared by the task-log plugin (backing log, final
// link) and the live-log plugin (the reference while the task runs), which may not import each other.
// Payloads may not match the schema here (logging plugins see malformed ones), so parsing is defensive.
import { artifactNameProblem } from '../artifact-upload/artifact-name.js';
import type { LiveLogConfig } from '../generated/config/live-log.js';
import type { LiveLogPayload } from '../generated/payload/live-log.js';
import type { DockerLiveLogPayload } from '../generated/payload/docker-live-log.js';
import type { DockerTaskLogPayload } from '../generated/payload/docker-task-log.js';
import type { TaskLogPayload } from '../generated/payload/task-log.js';
import type { PayloadFormat } from '../engines/types.js';

export const defaultLiveLogName = 'public/logs/live.log';
export const defaultBackingLogName = 'public/logs/live_backing.log';
export const logContentType = 'text/plain; charset=utf-8';

export interface TaskLogSettings {
  readonly liveName: string;
  readonly backingName: string;
  readonly backingLog: boolean;
  /** The task wants a live log (the default); whether the worker offers one is `liveLogEnabled`. */
  readonly liveLog: boolean;
}

/**
 * The log settings of a payload that may not match the schema: anything unusable falls back to the default.
 * generic-worker names both artifacts (`logs.live`, `logs.backing`) and switches them with
 * `features.backingLog` / `features.liveLog`; docker-worker names the live log (`log`), derives the backing
 * log's name from it, and switches them with `features.bulkLog` / `features.localLiveLog`.
 */
export function taskLogSettings(
  payload: Record<string, unknown>,
  format: PayloadFormat = 'generic-worker',
): TaskLogSettings {
  const { logs, features, log } = payload as { logs?: unknown; features?: unknown; log?: unknown };
  const logsPart = isRecord(logs) ? (logs as TaskLogPayload['logs'] & object) : {};
  type Features = TaskLogPayload['features'] &
    LiveLogPayload['features'] &
    DockerTaskLogPayload['features'] &
    DockerLiveLogPayload['features'] &
    object;
  const featuresPart = isRecord(features) ? (features as Features) : {};
  // A name that is not a valid artifact name (`..`, control characters) falls back too: the log must go up.
  const name = (value: unknown, fallback: string): string =>
    typeof value === 'string' && artifactNameProblem(value) === undefined ? value : fallback;
  if (format === 'docker-worker') {
    const liveName = name(log, defaultLiveLogName);
    return {
      liveName,
      backingName: name(backingNameFor(liveName), defaultBackingLogName),
      backingLog: featuresPart.bulkLog !== false,
      liveLog: featuresPart.localLiveLog !== false,
    };
  }
  return {
    liveName: name(logsPart.live, defaultLiveLogName),
    backingName: name(logsPart.backing, defaultBackingLogName),
    backingLog: featuresPart.backingLog !== false,
    liveLog: featuresPart.liveLog !== false,
  };
}

/** docker-worker's backing log name: `_backing` before the extension of the last path segment, if any. */
export function backingNameFor(liveName: string): string {
  const slash = liveName.lastIndexOf('/');
  const dot = liveName.lastIndexOf('.');
  // A dot that starts the segment (`.log`) or comes before the last slash is no extension.
  if (dot <= slash + 1) return `${liveName}_backing`;
  return `${liveName.slice(0, dot)}_backing${liveName.slice(dot)}`;
}

/**
 * The task asked for the live log explicitly (`features.liveLog: true` in its own payload, before defaults:
 * the schema default fills in `true` for every task).
 */
export function liveLogRequested(rawPayload: unknown): boolean {
  if (!isRecord(rawPayload) || !isRecord(rawPayload.features)) return false;
  return rawPayload.features.liveLog === true;
}

/** The worker config's `liveLog.enabled` (default true). */
export function liveLogEnabled(config: Record<string, unknown>): boolean {
  return (config as LiveLogConfig).liveLog?.enabled !== false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
