// The structured worker log for operators: pino JSON lines, constant messages, variables in fields.
// Secrets must never reach it, so every logger made here redacts the places credentials can hide, even when a
// caller logs a whole config or claim by mistake.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Paths pino censors (one wildcard level deep, as pino's redaction supports). */
export const redactedPaths: readonly string[] = [
  'accessToken',
  'certificate',
  'credentials.accessToken',
  'credentials.certificate',
  '*.accessToken',
  '*.certificate',
  '*.credentials.accessToken',
  '*.credentials.certificate',
  'config.credentials',
  'claim.credentials',
  'claim.task.payload.env',
];

export interface WorkerLogOptions {
  level?: LevelWithSilent;
  /** Where the JSON lines go; stdout (pino's default) when omitted. */
  destination?: DestinationStream;
  /** Fields bound to every line (e.g. workerGroup, workerId). */
  base?: Record<string, unknown>;
}

export function createWorkerLog(options: WorkerLogOptions = {}): Logger {
  const config = {
    level: options.level ?? 'info',
    base: options.base ?? {},
    redact: { paths: [...redactedPaths], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that drops everything (tests, and commands whose output is for humans). */
export function silentLog(): Logger {
  return pino({ level: 'silent' });
}
