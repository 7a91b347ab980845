// The root client: created on the queue's first start with every scope, kept in the database like any
// client and copied to `<dataDir>/root-client.json` (mode 0600) for the person who started the queue and
// for tools on the same machine (the test helpers, `tc-worker submit --data-dir`).
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueStorage } from '../storage/types.js';
import { newAccessToken, type ClientRecord } from './clients.js';

export const ROOT_CLIENT_ID = 'static/tc-worker/root';
export const ROOT_CLIENT_FILE = 'root-client.json';

export interface RootClient {
  clientId: string;
  accessToken: string;
  /** Where its credentials are written. */
  file: string;
  /** True on the start that created it. */
  created: boolean;
}

export async function ensureRootClient(storage: QueueStorage, dataDir: string): Promise<RootClient> {
  const { client, created } = await storage.transaction(async (tx) => {
    const existing = await tx.getClient(ROOT_CLIENT_ID);
    if (existing) return { client: existing, created: false };
    const fresh: ClientRecord = {
      clientId: ROOT_CLIENT_ID,
      accessToken: newAccessToken(),
      scopes: ['*'],
      description: 'created on the first start of the queue; holds every scope',
    };
    await tx.putClient(fresh);
    return { client: fresh, created: true };
  });
  const file = join(dataDir, ROOT_CLIENT_FILE);
  // Rewritten when missing or stale, so deleting it is not fatal: the database is the source of truth.
  if (created || !existsSync(file) || readRootClientFile(dataDir)?.accessToken !== client.accessToken) {
    const text = JSON.stringify({ clientId: client.clientId, accessToken: client.accessToken }, null, 2);
    writeFileSync(file, text + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { clientId: client.clientId, accessToken: client.accessToken, file, created };
}

/** The root client's credentials from a data dir, if the queue wrote them there. */
export function readRootClientFile(dataDir: string): { clientId: string; accessToken: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, ROOT_CLIENT_FILE), 'utf8')) as {
      clientId?: unknown;
      accessToken?: unknown;
    };
    if (typeof parsed.clientId === 'string' && typeof parsed.accessToken === 'string') {
      return { clientId: parsed.clientId, accessToken: parsed.accessToken };
    }
  } catch {
    // Missing or unreadable: no credentials.
  }
  return undefined;
}
