// Roles: a scope `assume:<roleId>` grants the role's scopes, and those may assume further roles. A roleId
// ending in `*` is assumed by every `assume:` scope it prefixes (`assume:repo:x` assumes role `repo:*`).
// Every caller, with or without credentials, holds `assume:anonymous`, as on a real deployment.
import scopeLib from 'taskcluster-lib-scopes';

export interface Role {
  roleId: string;
  scopes: string[];
}

export const ANONYMOUS_ROLE = 'anonymous';

/**
 * What anyone may do without credentials, unless the configuration says otherwise: read tasks, their
 * statuses and listings, public artifacts and the worker metadata, as a usual deployment's anonymous role.
 */
export const DEFAULT_ANONYMOUS_SCOPES = [
  'queue:get-task:*',
  'queue:status:*',
  'queue:list-task-group:*',
  'queue:list-dependent-tasks:*',
  'queue:list-artifacts:*',
  'queue:get-artifact:public/*',
  'queue:list-provisioners',
  'queue:get-provisioner:*',
  'queue:list-worker-types:*',
  'queue:get-worker-type:*',
  'queue:list-task-queues',
  'queue:get-task-queue:*',
  'queue:pending-count:*',
  'queue:claimed-count:*',
  'queue:pending-list:*',
  'queue:claimed-list:*',
  'queue:list-workers:*',
  'queue:get-worker:*',
];

/** Expansions remembered: a queue sees few distinct scope sets (its clients, its tasks' scopes). */
const MEMO_SIZE = 1000;

export class Roles {
  private readonly roles: Role[];
  private readonly memo = new Map<string, string[]>();

  /** Configured roles; an `anonymous` role among them replaces the default one. */
  constructor(roles: readonly Role[] = []) {
    this.roles = [...roles];
    if (!roles.some((role) => role.roleId === ANONYMOUS_ROLE)) {
      this.roles.push({ roleId: ANONYMOUS_ROLE, scopes: DEFAULT_ANONYMOUS_SCOPES });
    }
  }

  /** `scopes` plus everything the roles they assume (and those roles assume, ...) grant. Shared: never mutate. */
  expand(scopes: readonly string[]): string[] {
    const key = scopes.join('\n');
    const known = this.memo.get(key);
    if (known) return known;
    const expanded = this.compute(scopes);
    if (this.memo.size >= MEMO_SIZE) this.memo.clear();
    this.memo.set(key, expanded);
    return expanded;
  }

  private compute(scopes: readonly string[]): string[] {
    let result = scopeLib.scopeUnion([...scopes], [`assume:${ANONYMOUS_ROLE}`]);
    const assumed = new Set<string>();
    for (let changed = true; changed;) {
      changed = false;
      for (const role of this.roles) {
        if (assumed.has(role.roleId) || !assumes(result, role.roleId)) continue;
        assumed.add(role.roleId);
        result = scopeLib.scopeUnion(result, role.scopes);
        changed = true;
      }
    }
    return result;
  }
}

function assumes(scopes: readonly string[], roleId: string): boolean {
  const scope = `assume:${roleId}`;
  if (scopes.some((held) => scopeLib.patternMatch(held, scope))) return true;
  if (!roleId.endsWith('*')) return false;
  const prefix = scope.slice(0, -1);
  return scopes.some((held) => held.startsWith(prefix));
}
