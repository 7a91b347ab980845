// Clients the queue knows: the ones in its database (the root client, those `tc-worker queue add-client`
// made), the static ones of its configuration, and the queue itself as the issuer of run credentials.
import { randomBytes } from 'node:crypto';
import type { QueueStorage } from '../storage/types.js';

export interface ClientRecord {
  clientId: string;
  accessToken: string;
  scopes: string[];
  description?: string;
}

/** Client ids as Taskcluster allows them. */
export const CLIENT_ID = /^[A-Za-z0-9!@/:.+|_-]+$/;

/** A fresh accessToken: 32 random bytes, base64url (43 characters). */
export const newAccessToken = (): string => randomBytes(32).toString('base64url');

export type ClientLookup = (clientId: string) => Promise<ClientRecord | undefined>;

/** Static clients win over stored ones, so a configuration can always fix a stored mistake. */
export function clientLookup(storage: QueueStorage, staticClients: readonly ClientRecord[]): ClientLookup {
  const byId = new Map(staticClients.map((client) => [client.clientId, client]));
  return async (clientId) =>
    byId.get(clientId) ?? (await storage.transaction((tx) => tx.getClient(clientId)));
}
