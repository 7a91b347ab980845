// The name of a task's OS user, which also names its cgroup and its state directory: random (users are made
// before their task is known, see account-pool.ts), lowercase, short enough for every tool that handles user
// names, and with a fixed shape, so that clean-up after a crashed worker can recognise the engine's own users
// and never touches anyone else's.
import { randomBytes } from 'node:crypto';

export const taskUserPrefix = 'tcw-';

/** `tcw-<10 base32 characters>-<digits>`: the shape of every user the engine makes. */
export const taskUserPattern = /^tcw-[a-z2-7]{10}-\d{1,4}$/;

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The name of a user made ahead of time for a task not known yet (see account-pool.ts), of the one shape
 * crash clean-up recognises.
 */
export function poolAccountName(): string {
  let hash = '';
  for (const byte of randomBytes(10)) hash += base32[byte & 31];
  return `${taskUserPrefix}${hash}-0`;
}
