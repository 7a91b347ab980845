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

/**
 * How long a stored client is used without reading it again: a worker signs every call with the same client,
 * and a read is a storage transaction. A client added or changed (`add-client`, which may run in another
 * process) is seen within this time; an unknown one is looked up every time.
 */
export const storedClientTtlMs = 5000;

/** Static clients win over stored ones, so a configuration can always fix a stored mistake. */
export function clientLookup(
  storage: QueueStorage,
  staticClients: readonly ClientRecord[],
  now: () => number = Date.now,
): ClientLookup {
  const byId = new Map(staticClients.map((client) => [client.clientId, client]));
  const recent = new Map<string, { client: ClientRecord; readAt: number }>();
  return async (clientId) => {
    const fixed = byId.get(clientId);
    if (fixed) return fixed;
    const cached = recent.get(clientId);
    if (cached && now() - cached.readAt < storedClientTtlMs) return cached.client;
    const client = await storage.transaction((tx) => tx.getClient(clientId));
    if (client) recent.set(clientId, { client, readAt: now() });
    else recent.delete(clientId);
    return client;
  };
}
