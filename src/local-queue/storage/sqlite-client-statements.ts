// The SQL behind the clients part of StorageTx.
import type { ClientRecord } from '../auth/clients.js';
import type { SqlRunner, Sync } from './sqlite-statements.js';
import type { StorageTx } from './types.js';

export function clientStatements(
  sql: SqlRunner,
): Sync<Pick<StorageTx, 'getClient' | 'putClient' | 'listClients'>> {
  const parse = (row: { data: string }) => JSON.parse(row.data) as ClientRecord;
  return {
    getClient: (clientId) => {
      const row = sql.get<{ data: string }>('SELECT data FROM clients WHERE client_id = ?', clientId);
      return row ? parse(row) : undefined;
    },
    putClient: (client) => {
      sql.run(
        'INSERT OR REPLACE INTO clients (client_id, data) VALUES (?, ?)',
        client.clientId,
        JSON.stringify(client),
      );
    },
    listClients: () => sql.all<{ data: string }>('SELECT data FROM clients ORDER BY client_id').map(parse),
  };
}
