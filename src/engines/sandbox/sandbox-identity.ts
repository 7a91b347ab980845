// The task user's name inside its sandbox. Its uid is in no host file (task-accounts.ts), so the sandbox
// gets a passwd and a group file of its own, bound over the host's: the host's entries plus the task user
// and its group, and the user listed in the groups of its `osGroups`. `id`, `whoami`, `ls -l` and every
// program that asks the C library who it runs as then see the name, as for a user made with useradd.
import type { TaskAccount } from './task-accounts.js';

/** Where the files are kept in the task's state directory. */
export const identityFiles = { passwd: 'passwd', group: 'group' } as const;

/** Home and shell as useradd --system gives them: HOME itself is the task directory (default-env.ts). */
const home = '/nonexistent';
const shell = '/bin/sh';

function withEnd(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** The host's passwd file with the task user's entry. */
export function sandboxPasswd(hostPasswd: string, account: TaskAccount): string {
  return `${withEnd(hostPasswd)}${account.name}:x:${account.uid}:${account.gid}:tc-worker task:${home}:${shell}\n`;
}

/** The host's group file with the task user's own group, and the user added to the groups it joins. */
export function sandboxGroup(hostGroup: string, account: TaskAccount, joined: readonly string[]): string {
  const lines = hostGroup
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split(':');
      if (fields.length < 4 || !joined.includes(fields[0] ?? '')) return line;
      const members = (fields[3] ?? '').split(',').filter(Boolean);
      fields[3] = [...members, account.name].join(',');
      return fields.join(':');
    });
  return [...lines, `${account.name}:x:${account.gid}:`, ''].join('\n');
}
