// The scope check of one request: the caller's scopes must satisfy the route's expression. A caller that
// falls short gets 403 InsufficientScopes naming what is missing, in the words of a real deployment, with or
// without credentials (without, it holds the anonymous role's scopes).
import scopeLib, { type ScopeExpression } from 'taskcluster-lib-scopes';
import { QueueError } from '../errors.js';
import type { Caller } from './authenticate.js';

/** Scope expressions as the real services print them: one scope a line, AnyOf/AllOf indented. */
export function formatExpression(expression: ScopeExpression, indent = ''): string {
  if (typeof expression === 'string') return `${indent}${expression}`;
  const [kind, items] = 'AllOf' in expression ? ['AllOf', expression.AllOf] : ['AnyOf', expression.AnyOf];
  const inner = items.map((item) => formatExpression(item, `${indent}  `)).join('\n');
  return `${indent}${kind}:\n${inner}`;
}

const fenced = (text: string): string => '```\n' + text + '\n```';

export function requireScopes(caller: Caller, expression: ScopeExpression): void {
  if (scopeLib.satisfiesExpression(caller.scopes, expression)) return;
  const missing = scopeLib.removeGivenScopes(caller.scopes, expression) ?? expression;
  const requirement =
    `missing the following scopes:\n\n${fenced(formatExpression(missing))}\n\n` +
    `This request requires the client to satisfy the following scope expression:\n\n` +
    fenced(formatExpression(expression));
  // Without credentials the caller has the anonymous role's scopes; falling short is 403, as in a real
  // deployment (401 is for credentials that do not check out).
  if (caller.clientId === undefined) {
    throw new QueueError(
      'InsufficientScopes',
      `This request was made without credentials (set TASKCLUSTER_CLIENT_ID and TASKCLUSTER_ACCESS_TOKEN), ` +
        `and the anonymous role is ${requirement}`,
      { missing },
    );
  }
  throw new QueueError(
    'InsufficientScopes',
    `Client ID ${caller.clientId} does not have sufficient scopes and is ${requirement}`,
    { missing },
  );
}
