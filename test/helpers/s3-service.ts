// The real S3 server the artifact tests run against: radosgw, started by scripts/services/start-s3.sh (which
// installs it when missing and reuses a running one). Parallel test files share one start through a lock
// file. Where it cannot be started (not root, no apt-get), tests skip loudly, except in CI, where they fail.
// TCW_S3_ENDPOINT (with TCW_S3_ACCESS_KEY_ID, TCW_S3_SECRET_ACCESS_KEY, TCW_S3_REGION) points the tests at
// another S3-compatible server instead; it must check signatures for the presigned-URL tests to pass.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript, withLock } from './service-script.js';

export interface S3Service {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface EnsureOptions {
  /** The start script; the project's own by default. */
  script?: string;
  lockPath?: string;
  /** Whether a server that cannot start fails (CI) rather than skips. */
  ci?: boolean;
  /** How many times a start that breaks (exit 1) is tried; a fresh machine's first install can break. */
  attempts?: number;
  retryDelayMs?: number;
  /** Where progress and warnings go (stderr by default; the helper's own tests collect them). */
  say?: (text: string) => void;
}

const defaultScript = fileURLToPath(new URL('../../scripts/services/start-s3.sh', import.meta.url));
const HOW_TO_START = 'start it with `bash scripts/services/start-s3.sh` (as root, on Debian)';

// The SDK warns once per process that its 2027 releases will need Node 22; in test output that is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function parseDetails(stdout: string): S3Service {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^(S3_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2]);
  }
  const get = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`start-s3.sh printed no ${key}:\n${stdout}`);
    return value;
  };
  return {
    endpoint: get('S3_ENDPOINT'),
    region: get('S3_REGION'),
    accessKeyId: get('S3_ACCESS_KEY_ID'),
    secretAccessKey: get('S3_SECRET_ACCESS_KEY'),
  };
}

async function start(options: Required<Omit<EnsureOptions, 'ci'>>): Promise<S3Service | string> {
  const external = process.env.TCW_S3_ENDPOINT;
  if (external && options.script === defaultScript) {
    return {
      endpoint: external,
      region: process.env.TCW_S3_REGION ?? 'us-east-1',
      accessKeyId: process.env.TCW_S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.TCW_S3_SECRET_ACCESS_KEY ?? '',
    };
  }
  for (let attempt = 1; ; attempt++) {
    const result = await withLock(options.lockPath, async () => {
      options.say('s3-service: making sure radosgw runs (first start: about 50 s)\n');
      return runScript(options.script);
    });
    if (result.code === 0) return parseDetails(result.stdout);
    const tail = (lines: number): string => result.stderr.trim().split('\n').slice(-lines).join('\n');
    if (result.code === 2) return `cannot start the S3 server here: ${tail(5)}`;
    const failure = `${options.script} failed (exit ${result.code}), attempt ${attempt} of ${options.attempts}`;
    // Said at once, so that the reason shows in the test output even when a later attempt succeeds.
    options.say(`s3-service: ${failure}:\n${tail(30)}\n`);
    if (attempt >= options.attempts) throw new Error(`${failure}:\n${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
  }
}

/** Runs the start script (under the lock) and judges the outcome; `s3Service` is the memoized form. */
export async function ensureS3Service(options: EnsureOptions = {}): Promise<S3Service | { skip: string }> {
  const say = options.say ?? ((text: string) => process.stderr.write(text));
  const outcome = await start({
    script: options.script ?? defaultScript,
    lockPath: options.lockPath ?? join(tmpdir(), 'tcw-s3-service.lock'),
    attempts: options.attempts ?? 3,
    retryDelayMs: options.retryDelayMs ?? 3000,
    say,
  });
  if (typeof outcome !== 'string') return outcome;
  if (options.ci ?? process.env.CI === 'true') {
    throw new Error(`${outcome}\nCI needs the S3 server for the artifact tests: ${HOW_TO_START}.`);
  }
  const message = `SKIPPING S3 tests: ${outcome}\n  To run them, ${HOW_TO_START}.`;
  say(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`);
  return { skip: message };
}

let started: Promise<S3Service | { skip: string }> | undefined;

/**
 * The S3 server's connection, started once per test process (and once per machine, thanks to the lock
 * and the script's reuse). Where it cannot start: throws in CI; elsewhere prints a warning and returns the
 * reason, for `describe(..., { skip: reason })`.
 */
export function s3Service(): Promise<S3Service | { skip: string }> {
  started ??= ensureS3Service();
  return started;
}
