// Adding a client to a queue's data directory, as `tc-worker queue add-client` does. It writes to the
// database directly, so it works whether the queue is running or not: a running queue reads clients from
// the database on every request, and sees the new one at once.
import scopeLib from 'taskcluster-lib-scopes';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { CLIENT_ID, newAccessToken, type ClientRecord } from './clients.js';

export class AddClientError extends Error {}

export interface AddClientOptions {
  dataDir: string;
  clientId: string;
  scopes: readonly string[];
  description?: string | undefined;
  /** Replace a client of that id (new token, new scopes) instead of refusing. */
  replace?: boolean | undefined;
}

export async function addClient(options: AddClientOptions): Promise<ClientRecord> {
  if (!CLIENT_ID.test(options.clientId)) {
    throw new AddClientError(
      `invalid clientId ${JSON.stringify(options.clientId)}: use A-Z a-z 0-9 !@/:.+|_-`,
    );
  }
  const invalid = options.scopes.filter((scope) => !scopeLib.validScope(scope));
  if (invalid.length > 0) throw new AddClientError(`invalid scopes: ${invalid.join(', ')}`);
  const client: ClientRecord = {
    clientId: options.clientId,
    accessToken: newAccessToken(),
    scopes: [...new Set(options.scopes)],
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
  const storage = SqliteStorage.open(options.dataDir);
  try {
    await storage.transaction(async (tx) => {
      if (!options.replace && (await tx.getClient(client.clientId))) {
        throw new AddClientError(`client ${client.clientId} exists already (--replace gives it a new token)`);
      }
      await tx.putClient(client);
    });
  } finally {
    await storage.close();
  }
  return client;
}

/** The scopes a worker of a pool needs of its own: claiming from its task queue under any worker id. */
export const workerPoolScopes = (taskQueueId: string): string[] => [
  `queue:claim-work:${taskQueueId}`,
  'queue:worker-id:*',
];

/**
 * What a person submitting and managing tasks needs: creating tasks in any queue and project (their routes
 * and scopes still need scopes of their own), scheduling, rerunning and canceling them, reading every
 * artifact.
 */
export const USER_SCOPES = [
  'queue:create-task:*',
  'queue:scheduler-id:*',
  'queue:schedule-task:*',
  'queue:rerun-task:*',
  'queue:cancel-task:*',
  'queue:get-artifact:*',
];
