// The SQL behind the object service's part of StorageTx.
import type { ObjectRecord } from '../domain/object-model.js';
import type { SqlRunner, Sync } from './sqlite-statements.js';
import type { StorageTx } from './types.js';

interface ObjectRow {
  name: string;
  project_id: string;
  upload_id: string | null;
  upload_expires: string;
  expires: string;
  hashes: string;
}

const objectFromRow = (row: ObjectRow): ObjectRecord => ({
  name: row.name,
  projectId: row.project_id,
  uploadId: row.upload_id,
  uploadExpires: row.upload_expires,
  expires: row.expires,
  hashes: JSON.parse(row.hashes) as Record<string, string>,
});

export function objectStatements(sql: SqlRunner): Sync<Pick<StorageTx, 'getObject' | 'putObject'>> {
  return {
    getObject: (name) => {
      const row = sql.get<ObjectRow>('SELECT * FROM objects WHERE name = ?', name);
      return row ? objectFromRow(row) : undefined;
    },
    putObject: (o) => {
      sql.run(
        `INSERT OR REPLACE INTO objects (name, project_id, upload_id, upload_expires, expires, hashes)
           VALUES (?, ?, ?, ?, ?, ?)`,
        o.name,
        o.projectId,
        o.uploadId,
        o.uploadExpires,
        o.expires,
        JSON.stringify(o.hashes),
      );
    },
  };
}
