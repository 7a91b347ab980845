// `tc-worker queue add-client`: adds a client to a queue's data directory (the queue may be running) and
// prints its credentials, once: the queue keeps the token but never shows it again.
import { addClient, AddClientError, USER_SCOPES, workerPoolScopes } from '../local-queue/index.js';
import { exitCodes } from './exit-codes.js';
import type { CliIo } from './io.js';

export interface AddClientCommandOptions {
  dataDir: string;
  clientId: string;
  scope: string[];
  /** taskQueueIds whose work the client may claim (a worker pool's client). */
  workerPool: string[];
  /** The scopes of a person submitting tasks. */
  user: boolean;
  description?: string;
  replace: boolean;
  rootUrl?: string;
}

export async function addClientCommand(options: AddClientCommandOptions, io: CliIo): Promise<number> {
  const scopes = [
    ...options.workerPool.flatMap(workerPoolScopes),
    ...(options.user ? USER_SCOPES : []),
    ...options.scope,
  ];
  if (scopes.length === 0) {
    io.stderr('tc-worker queue add-client: give the client scopes (--scope, --worker-pool or --user)\n');
    return exitCodes.usage;
  }
  let client;
  try {
    client = await addClient({
      dataDir: options.dataDir,
      clientId: options.clientId,
      scopes,
      description: options.description,
      replace: options.replace,
    });
  } catch (error) {
    if (!(error instanceof AddClientError)) throw error;
    io.stderr(`tc-worker queue add-client: ${error.message}\n`);
    return exitCodes.usage;
  }
  io.stdout(`Added client ${client.clientId} with scopes:\n${client.scopes.map((s) => `  ${s}\n`).join('')}`);
  io.stdout(`Its credentials (shown only now):\n`);
  if (options.rootUrl) io.stdout(`  export TASKCLUSTER_ROOT_URL=${options.rootUrl}\n`);
  io.stdout(`  export TASKCLUSTER_CLIENT_ID=${client.clientId}\n`);
  io.stdout(`  export TASKCLUSTER_ACCESS_TOKEN=${client.accessToken}\n`);
  return exitCodes.ok;
}
