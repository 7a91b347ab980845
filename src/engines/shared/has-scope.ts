// Taskcluster scope satisfaction for the scopes a task carries: a scope is granted by itself or by a scope
// ending in `*` whose prefix it starts with (`generic-worker:os-group:prov/wt/*`, `docker-worker:cache:*`).

export function hasScope(granted: readonly string[], required: string): boolean {
  return granted.some(
    (scope) => scope === required || (scope.endsWith('*') && required.startsWith(scope.slice(0, -1))),
  );
}
