// Taskcluster scope satisfaction for the scopes a task carries: a scope is granted by itself or by a scope
// ending in `*` whose prefix it starts with (`generic-worker:os-group:prov/wt/*`, `docker-worker:cache:*`),
// by Taskcluster's own scope library, as the embedded queue checks scopes too.
import scopeLib from 'taskcluster-lib-scopes';

export function hasScope(granted: readonly string[], required: string): boolean {
  return granted.some((scope) => scopeLib.patternMatch(scope, required));
}
