// An interactive shell in a task's sandbox: bash (or sh) on a real terminal (node-pty), started through the
// same chain as the task's commands (its cgroups, its user and groups, the same mounts and environment),
// plus TERM. The terminal is the shell's own, so bubblewrap keeps it as the controlling terminal (no
// --new-session) and job control works. Killing the session kills bubblewrap, and with it the shell's PID
// namespace: whatever the shell started is gone too, even what left the session.
import { openTerminalShell, shellProgram } from '../shared/terminal-shell.js';
import type { Shell, ShellSize } from '../types.js';
import { hostToolEnv } from './default-env.js';
import type { TaskResources } from './task-resources.js';

export function openSandboxShell(resources: TaskResources, size: ShellSize): Shell {
  const [file, ...args] = resources.argv([shellProgram()], {
    newSession: false,
    extraOptions: ['--setenv', 'TERM', 'xterm-256color'],
  });
  return openTerminalShell(file, args, { cwd: '/', env: { ...hostToolEnv }, size });
}
