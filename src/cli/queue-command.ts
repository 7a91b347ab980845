// `tc-worker queue`: serves the embedded queue until SIGTERM/SIGINT. The root URL goes to stdout (first
// line, for scripts); the queue's structured log to stderr.
import { mkdir } from 'node:fs/promises';
import { pino, type LevelWithSilent } from 'pino';
import {
  ArtifactStoreOptionError,
  loadQueueAuthConfig,
  parseArtifactStoreOption,
  QueueAuthConfigError,
  startLocalQueue,
  type ArtifactStoreFlags,
  type RootClient,
} from '../local-queue/index.js';
import { createWorkerLog } from '../log/worker-log.js';
import { flush } from './work-command.js';
import { exitCodes } from './exit-codes.js';
import type { CliIo } from './io.js';

export interface QueueCommandOptions extends ArtifactStoreFlags {
  host: string;
  port: number;
  dataDir: string;
  claimTimeout?: number;
  publicUrl?: string;
  /** Clients, roles and clock skew (schemas/local-queue/auth-config.yml). */
  config?: string;
  artifactStore?: string;
  syncToDisk?: boolean;
  logLevel: LevelWithSilent;
}

/**
 * On the first start, how to use the new root client (shown once, as the secret is new); later, where its
 * credentials are.
 */
function rootClientHelp(root: RootClient, rootUrl: string): string {
  if (!root.created) return `root client ${root.clientId}: credentials in ${root.file}\n`;
  return (
    `Created the root client ${root.clientId} (scopes: *), saved in ${root.file} (mode 0600).\n` +
    `Use it with taskcluster-client, the taskcluster CLI or tc-worker submit:\n` +
    `  export TASKCLUSTER_ROOT_URL=${rootUrl}\n` +
    `  export TASKCLUSTER_CLIENT_ID=${root.clientId}\n` +
    `  export TASKCLUSTER_ACCESS_TOKEN=${root.accessToken}\n` +
    `Make clients with fewer scopes with \`tc-worker queue add-client\` (see docs/queue.md).\n`
  );
}

export async function queueCommand(options: QueueCommandOptions, io: CliIo): Promise<number> {
  const log = createWorkerLog({ level: options.logLevel, destination: pino.destination(2) });
  await mkdir(options.dataDir, { recursive: true });
  let queue: Awaited<ReturnType<typeof startLocalQueue>>;
  try {
    const artifactStore = parseArtifactStoreOption(options.artifactStore, options, io.env);
    const auth = options.config !== undefined ? await loadQueueAuthConfig(options.config) : undefined;
    queue = await startLocalQueue({
      ...(auth ? { clients: auth.clients, roles: auth.roles, clockSkewSeconds: auth.clockSkewSeconds } : {}),
      artifactStore,
      syncToDisk: options.syncToDisk ?? false,
      host: options.host,
      port: options.port,
      dataDir: options.dataDir,
      logger: log,
      ...(options.claimTimeout !== undefined ? { claimTimeoutSeconds: options.claimTimeout } : {}),
      ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    });
  } catch (error) {
    io.stderr(`cannot start the queue: ${(error as Error).message}\n`);
    await flush(log);
    if (error instanceof QueueAuthConfigError) return exitCodes.config;
    return error instanceof ArtifactStoreOptionError ? exitCodes.usage : exitCodes.unavailable;
  }
  io.stdout(`${queue.rootUrl}\n`);
  io.stdout(
    `tc-worker queue serving ${queue.rootUrl}/api/queue/v1/ (data in ${options.dataDir}); Ctrl-C stops it\n`,
  );
  io.stdout(rootClientHelp(queue.rootClient, options.publicUrl ?? queue.rootUrl));
  await new Promise<void>((resolve) => {
    const stopListening = io.onShutdownSignal(() => {
      stopListening();
      resolve();
    });
  });
  await queue.close();
  io.stdout('tc-worker queue stopped\n');
  await flush(log);
  return exitCodes.ok;
}
