// Opaque continuation tokens: the sort key of the last row of a page, base64url-encoded JSON.
import { inputError } from '../errors.js';

export const encodeCursor = (key: readonly (string | number)[]): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

export const decodeCursor = (token: string, arity: number): (string | number)[] => {
  try {
    const key: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through to the InputError below
  }
  throw inputError('Invalid continuationToken', { continuationToken: token });
};
