// The SQLite tables. Task state lives in JSON columns the domain code owns; the few plain columns next to
// them are derived from it only so that SQL can find due timers, pending work and claimed runs quickly.

export const SCHEMA_VERSION = 1;

export const schemaSql = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS tasks (
  task_id TEXT PRIMARY KEY,
  task_group_id TEXT NOT NULL,
  task_queue_id TEXT NOT NULL,
  definition TEXT NOT NULL,
  retries_left INTEGER NOT NULL,
  runs TEXT NOT NULL,
  state TEXT NOT NULL,
  claim_expiry INTEGER,
  claimed_at INTEGER,
  active_deadline INTEGER
);
CREATE INDEX IF NOT EXISTS tasks_by_group ON tasks (task_group_id, task_id);
CREATE INDEX IF NOT EXISTS tasks_by_claim_expiry ON tasks (claim_expiry) WHERE claim_expiry IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_by_deadline ON tasks (active_deadline) WHERE active_deadline IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_claimed ON tasks (task_queue_id, claimed_at, task_id)
  WHERE claim_expiry IS NOT NULL;

CREATE TABLE IF NOT EXISTS dependencies (
  dependent_task_id TEXT NOT NULL,
  required_task_id TEXT NOT NULL,
  requires TEXT NOT NULL,
  satisfied INTEGER NOT NULL,
  PRIMARY KEY (dependent_task_id, required_task_id)
);
CREATE INDEX IF NOT EXISTS dependencies_by_required ON dependencies (required_task_id, dependent_task_id);

CREATE TABLE IF NOT EXISTS pending (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_queue_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  priority_rank INTEGER NOT NULL,
  inserted INTEGER NOT NULL,
  UNIQUE (task_id, run_id)
);
CREATE INDEX IF NOT EXISTS pending_order ON pending (task_queue_id, priority_rank, seq);

CREATE TABLE IF NOT EXISTS artifacts (
  task_id TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  storage_type TEXT NOT NULL,
  content_type TEXT NOT NULL,
  details TEXT NOT NULL,
  present INTEGER NOT NULL,
  expires TEXT NOT NULL,
  PRIMARY KEY (task_id, run_id, name)
);

-- Objects of the object service; upload_id is NULL once the upload is finished.
CREATE TABLE IF NOT EXISTS objects (
  name TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  upload_id TEXT,
  upload_expires TEXT NOT NULL,
  expires TEXT NOT NULL,
  hashes TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS workers (
  task_queue_id TEXT NOT NULL,
  worker_group TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (task_queue_id, worker_group, worker_id)
);

CREATE TABLE IF NOT EXISTS task_queues (task_queue_id TEXT PRIMARY KEY, data TEXT NOT NULL);

-- Clients and their credentials; data is the JSON ClientRecord (accessToken included: keep the file private).
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, data TEXT NOT NULL);
`;
