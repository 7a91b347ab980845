// The payload's `osGroups`: existing groups the task user joins, each allowed by a scope. Every problem is
// collected, so that the task log lists them all at once (a malformed payload).
import { hasScope, osGroupScope } from './scopes.js';

/** Group names to ids, from the text of /etc/group (the engine creates local users, so local groups). */
export function parseGroupFile(text: string): Map<string, number> {
  const groups = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (!name || gid === undefined || name.startsWith('#')) continue;
    const id = Number(gid);
    if (Number.isSafeInteger(id) && id >= 0 && !groups.has(name)) groups.set(name, id);
  }
  return groups;
}

export interface OsGroupCheck {
  readonly names: readonly string[];
  readonly gids: readonly number[];
  readonly problems: readonly string[];
}

export function checkOsGroups(
  asked: readonly string[],
  scopes: readonly string[],
  taskQueueId: string,
  known: ReadonlyMap<string, number>,
): OsGroupCheck {
  const problems: string[] = [];
  const gids: number[] = [];
  const names: string[] = [];
  for (const [index, group] of asked.entries()) {
    const scope = osGroupScope(taskQueueId, group);
    if (!hasScope(scopes, scope))
      problems.push(
        `payload.osGroups[${index}]: group ${group} needs the scope ${scope}, which the task lacks`,
      );
    const gid = known.get(group);
    if (gid === undefined)
      problems.push(`payload.osGroups[${index}]: there is no group ${group} on this worker`);
    else if (!gids.includes(gid)) {
      gids.push(gid);
      names.push(group);
    }
  }
  return { names, gids, problems };
}
