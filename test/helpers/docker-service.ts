// The real Docker daemon the docker engine's tests run against, started by scripts/services/start-docker.sh
// (which installs Debian's docker.io when missing, reuses a running daemon and builds the local test images).
// Parallel test files share one start through a lock file. Where it cannot be started (not root, no apt-get),
// tests skip loudly, except in CI, where they fail with how to start it.
// TCW_DOCKER_SOCKET points the tests at another daemon's socket.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript, withLock } from './service-script.js';

export interface DockerService {
  readonly socket: string;
}

/** The images start-docker.sh builds (no registry is reachable from CI). */
export const busyboxImage = 'local/busybox:latest';
/** Built only for the tests that ask for it (`dockerService({ debian: true })`): it takes about 35 s. */
export const debianImage = 'local/debian:bookworm';

const script = fileURLToPath(new URL('../../scripts/services/start-docker.sh', import.meta.url));
const HOW_TO_START = 'start it with `bash scripts/services/start-docker.sh` (as root, on Debian)';

/**
 * The `docker` worker config keys of the tests: no network, no pull retries, and the test images kept by
 * the image collector (a CI machine with little free disk must not lose them between two tests).
 */
export function testDockerConfig(
  socket: string,
  more: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    socket,
    network: 'none',
    pullRetries: 0,
    imageGc: { keepImages: [busyboxImage, debianImage] },
    ...more,
  };
}

export interface DockerServiceOptions {
  /** Also the Debian image (tests whose shell must be a full POSIX one, not busybox's). */
  readonly debian?: boolean;
}

export async function ensureDockerService(
  options: DockerServiceOptions = {},
  ci = process.env.CI === 'true',
  say: (text: string) => void = (text) => process.stderr.write(text),
): Promise<DockerService | { skip: string }> {
  const env: Record<string, string> = {};
  if (options.debian) env.TCW_DOCKER_DEBIAN_IMAGE = '1';
  if (process.env.TCW_DOCKER_SOCKET) env.TCW_DOCKER_SOCKET = process.env.TCW_DOCKER_SOCKET;
  const result = await withLock(join(tmpdir(), 'tcw-docker-service.lock'), () => {
    say('docker-service: making sure dockerd runs (first start with the install: about 30 s)\n');
    return runScript(script, env);
  });
  const tail = result.stderr.trim().split('\n').slice(-30).join('\n');
  if (result.code === 0) {
    const socket = /^DOCKER_SOCKET=(.+)$/m.exec(result.stdout)?.[1];
    if (!socket) throw new Error(`start-docker.sh printed no DOCKER_SOCKET:\n${result.stdout}`);
    return { socket };
  }
  if (result.code !== 2) throw new Error(`${script} failed (exit ${result.code}):\n${tail}`);
  const reason = `cannot start the Docker daemon here: ${tail}`;
  if (ci)
    throw new Error(`${reason}\nCI needs the Docker daemon for the docker engine tests: ${HOW_TO_START}.`);
  const message = `SKIPPING Docker tests: ${reason}\n  To run them, ${HOW_TO_START}.`;
  say(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`);
  return { skip: message };
}

let started: Promise<DockerService | { skip: string }> | undefined;

/** The daemon, started once per test process (and once per machine, thanks to the lock and the script). */
export function dockerService(options: DockerServiceOptions = {}): Promise<DockerService | { skip: string }> {
  started ??= ensureDockerService(options);
  return started;
}
