// The scopes a route requires, written as Taskcluster's API references write them: a scope expression whose
// strings hold `<param>` placeholders, plus `{for, in, each}` (one scope per element of a list parameter)
// and `{if, then}` (required only when a parameter is true). `renderScopes` fills one in for a request,
// giving a plain expression for taskcluster-lib-scopes to evaluate.
import type { ScopeExpression } from 'taskcluster-lib-scopes';

export type ScopeTemplate =
  | string
  | { AllOf: ScopeTemplate[] }
  | { AnyOf: ScopeTemplate[] }
  | { for: string; in: string; each: string }
  | { if: string; then: ScopeTemplate };

export type ScopeParams = Readonly<Record<string, unknown>>;

/** Thrown for a template that asks for a parameter the route did not supply: a bug, not a client error. */
export class ScopeTemplateError extends Error {}

const fill = (text: string, params: ScopeParams): string =>
  text.replace(/<([^<>]+)>/g, (_whole, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ScopeTemplateError(`scope parameter <${name}> is missing or not a string`);
    }
    return String(value);
  });

/** The expressions a template stands for: `for` gives several, a false `if` none. */
function expand(template: ScopeTemplate, params: ScopeParams): ScopeExpression[] {
  if (typeof template === 'string') return [fill(template, params)];
  if ('for' in template) {
    const list = params[template.in];
    if (!Array.isArray(list)) throw new ScopeTemplateError(`scope parameter <${template.in}> is not a list`);
    return list.map((item: unknown) => fill(template.each, { ...params, [template.for]: item }));
  }
  if ('if' in template) return params[template.if] === true ? expand(template.then, params) : [];
  if ('AllOf' in template) return [{ AllOf: template.AllOf.flatMap((t) => expand(t, params)) }];
  return [{ AnyOf: template.AnyOf.flatMap((t) => expand(t, params)) }];
}

export function renderScopes(template: ScopeTemplate, params: ScopeParams): ScopeExpression {
  const expressions = expand(template, params);
  return expressions.length === 1 && expressions[0] !== undefined ? expressions[0] : { AllOf: expressions };
}
