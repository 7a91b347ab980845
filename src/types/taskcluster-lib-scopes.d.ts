// The part of `taskcluster-lib-scopes` (Taskcluster's own scope library) the queue and the engines use.
/* eslint-disable no-restricted-syntax -- mirrors a CommonJS module whose default export is its API */
declare module 'taskcluster-lib-scopes' {
  export type ScopeExpression = string | { AllOf: ScopeExpression[] } | { AnyOf: ScopeExpression[] };
  const scopes: {
    validScope(scope: unknown): boolean;
    validExpression(expression: unknown): boolean;
    satisfiesExpression(scopeset: readonly string[], expression: ScopeExpression): boolean;
    /** What is still missing from `scopeset` to satisfy `expression`, or null when nothing is. */
    removeGivenScopes(scopeset: readonly string[], expression: ScopeExpression): ScopeExpression | null;
    scopeIntersection(a: readonly string[], b: readonly string[]): string[];
    scopeUnion(a: readonly string[], b: readonly string[]): string[];
    /** True when the scope `pattern` (perhaps ending in `*`) satisfies `scope`. */
    patternMatch(pattern: string, scope: string): boolean;
  };
  export default scopes;
}
