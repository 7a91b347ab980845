// QueueStorage on SQLite (better-sqlite3, WAL). An acknowledged commit survives a crash of the process in
// any case (the WAL is written before the answer); `syncToDisk` also waits for the disk on every commit
// (synchronous FULL) so that it survives power loss, at a few milliseconds per change.
// All statements run through one mutex so a transaction may await between them.
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Mutex } from './mutex.js';
import { SCHEMA_VERSION, schemaSql } from './sqlite-schema.js';
import { sqliteStatements } from './sqlite-statements.js';
import type { QueueStorage, StorageTx } from './types.js';

export class SqliteStorage implements QueueStorage {
  private readonly db: Database.Database;
  private readonly mutex = new Mutex();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly tx: StorageTx;

  private constructor(db: Database.Database) {
    this.db = db;
    this.tx = sqliteStatements({
      all: <R>(sql: string, ...params: unknown[]) => this.stmt(sql).all(...params) as R[],
      get: <R>(sql: string, ...params: unknown[]) => this.stmt(sql).get(...params) as R | undefined,
      run: (sql: string, ...params: unknown[]) => {
        this.stmt(sql).run(...params);
      },
    });
  }

  static open(dataDir: string, options: { syncToDisk?: boolean } = {}): SqliteStorage {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'queue.sqlite3');
    const db = new Database(path);
    // It holds the clients' access tokens; SQLite gives its WAL and shared-memory files the same mode.
    chmodSync(path, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma(options.syncToDisk ? 'synchronous = FULL' : 'synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(schemaSql);
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
      'schemaVersion',
      String(SCHEMA_VERSION),
    );
    return new SqliteStorage(db);
  }

  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.mutex.run(() => {
      if (this.db.open) this.db.close();
      return Promise.resolve();
    });
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
