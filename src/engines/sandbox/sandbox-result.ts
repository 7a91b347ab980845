// The result of a sandboxed task: its outcome, its files (read with the task user's rights, so that a link
// to a file only root may read is refused like any file the task could not read itself), and dispose, which
// releases everything the task held on the host.
import { TaskFiles } from '../process/task-files.js';
import { TaskResultSet, type RunOutcome } from '../shared/task-result-set.js';
import type { EngineTaskContext, ResultSet } from '../types.js';
import type { TaskResources } from './task-resources.js';

export type { RunOutcome } from '../shared/task-result-set.js';

export function sandboxResultSet(
  ctx: EngineTaskContext,
  outcome: RunOutcome & { killed: boolean },
  resources: TaskResources,
  killShells: () => Promise<void>,
): ResultSet {
  return new TaskResultSet(outcome, {
    files: new TaskFiles(ctx.taskDir, resources.user),
    killShells,
    release: () => resources.release(),
  });
}
