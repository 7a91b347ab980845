// The environment a task starts from. Built from scratch (never the worker's own environment, which holds
// the worker's credentials), then plugins add the payload's variables over it.
import { userInfo } from 'node:os';

export const defaultTaskPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function defaultEnvironment(taskDir: string, path: string): Record<string, string> {
  const user = currentUserName();
  return {
    PATH: path,
    HOME: taskDir,
    PWD: taskDir,
    ...(user ? { USER: user, LOGNAME: user } : {}),
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
  };
}

/** Looked up once: the worker's user does not change, and the lookup reads the user database. */
let userName: { name: string | undefined } | undefined;

function currentUserName(): string | undefined {
  if (!userName) {
    try {
      userName = { name: userInfo().username };
    } catch {
      userName = { name: undefined };
    }
  }
  return userName.name;
}
