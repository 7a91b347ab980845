// The environment a sandboxed task starts from: built from scratch (never the worker's, which holds its
// credentials), as the process engine's but with the task user's name. Plugins then set variables over it.
import { defaultTaskPath } from '../process/default-env.js';

export function sandboxEnvironment(taskDir: string, userName: string): Record<string, string> {
  return {
    PATH: defaultTaskPath,
    HOME: taskDir,
    PWD: taskDir,
    USER: userName,
    LOGNAME: userName,
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
  };
}

/** The environment of the worker-side tools that start a sandbox (root, before the task's user takes over). */
export const hostToolEnv: Readonly<Record<string, string>> = {
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
};
