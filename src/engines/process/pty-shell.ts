// The process engine's interactive shell: bash (or sh) on a real terminal (node-pty), as the worker's user,
// in the task directory, with the task's environment.
import { openTerminalShell, shellProgram } from '../shared/terminal-shell.js';
import type { Shell, ShellSize } from '../types.js';

export interface PtyShellOptions {
  readonly cwd: string;
  /** The task's environment; TERM is set over it. */
  readonly env: Readonly<Record<string, string>>;
  readonly size: ShellSize;
}

export function openPtyShell(options: PtyShellOptions): Shell {
  return openTerminalShell(shellProgram(), [], {
    cwd: options.cwd,
    env: { ...options.env, TERM: 'xterm-256color' },
    size: options.size,
  });
}
