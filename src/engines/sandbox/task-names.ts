// The name of a task's OS user, which also names its cgroup and its state directory. Derived from the task id
// and run (a hash: task ids are case-sensitive, user names are lowercase), short enough for every tool that
// handles user names, and with a fixed shape, so that clean-up after a crashed worker can recognise the
// engine's own users and never touches anyone else's.
import { createHash, randomBytes } from 'node:crypto';

export const taskUserPrefix = 'tcw-';

/** `tcw-<10 base32 characters>-<runId>`: what taskAccountName and poolAccountName make, and nothing else. */
export const taskUserPattern = /^tcw-[a-z2-7]{10}-\d{1,4}$/;

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function taskAccountName(taskId: string, runId: number): string {
  if (!Number.isSafeInteger(runId) || runId < 0 || runId > 9999) throw new RangeError(`bad run id ${runId}`);
  // 50 bits of the hash, 5 per character: plenty for the tasks of one machine.
  const bits = createHash('sha256').update(`${taskId}/${runId}`).digest().readBigUInt64BE(0);
  let hash = '';
  for (let i = 0; i < 10; i++) hash += base32[Number((bits >> BigInt(59 - 5 * i)) & 31n)];
  return `${taskUserPrefix}${hash}-${runId}`;
}

/**
 * The name of a user made ahead of time for a task not known yet (see account-pool.ts): random instead of
 * hashed, but of the same shape (run 0), so that crash clean-up recognises it like any other task user.
 */
export function poolAccountName(): string {
  let hash = '';
  for (const byte of randomBytes(10)) hash += base32[byte & 31];
  return `${taskUserPrefix}${hash}-0`;
}
