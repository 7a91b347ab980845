// What a task's sandbox looks like, as bubblewrap options: a fresh tmpfs root (made read-only once
// everything is mounted), the host's /usr and /etc read-only, /bin /lib ... as the host has them (links
// into /usr on merged-/usr systems), a private /dev, /proc (own PID namespace) and /tmp, and the task
// directory writable at the same absolute path as on the host, so that paths in payloads and artifacts keep
// their meaning. Pure: the host's facts come in as arguments.
import type { FileUser } from '../process/task-user.js';
import { supervisorPathInSandbox } from './supervisor-binary.js';

/** A top-level directory of the host that the sandbox shows as it is (a link into /usr, or a directory). */
export type RootEntry =
  | { readonly kind: 'symlink'; readonly name: string; readonly target: string }
  | { readonly kind: 'dir'; readonly name: string };

export interface SandboxLayout {
  /**
   * The task directory: its path inside the sandbox, the same as on the host. The task user can reach it
   * (every directory above it is searchable), so bubblewrap binds it as that user.
   */
  readonly taskDir: string;
  /** Host directory shown as /tmp (the task's own, kept across its commands). */
  readonly tmpDir: string;
  readonly hostname: string;
  /** The host's network (`--share-net`); otherwise only a loopback interface of the sandbox's own. */
  readonly network: boolean;
  /** /bin, /sbin, /lib, /lib64, ... as the host has them. */
  readonly rootEntries: readonly RootEntry[];
  readonly env: Readonly<Record<string, string>>;
  /** The passwd and group files that name the task user (sandbox-identity.ts), shown over the host's. */
  readonly identity: { readonly passwd: string; readonly group: string };
  /** The compiled command supervisor on the host, shown read-only at supervisorPathInSandbox. */
  readonly supervisor?: string;
}

/** Paths the sandbox builds from the host's: a task directory under one of them cannot be bound. */
const systemDirs = ['/usr', '/etc', '/dev', '/proc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export function isUnderSystemDir(path: string): boolean {
  return path === '/' || systemDirs.some((dir) => path === dir || path.startsWith(`${dir}/`));
}

/** The options for bubblewrap's `--args` file, in order (mounts are made in this order). */
export function bwrapOptions(layout: SandboxLayout): string[] {
  const options = [
    // Every namespace: user (so that bubblewrap needs no privilege), IPC, PID, network, UTS, cgroup.
    '--unshare-all',
    '--unshare-user',
    ...(layout.network ? ['--share-net'] : []),
    // The task may not make user namespaces of its own (a large kernel attack surface).
    '--disable-userns',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    '--hostname',
    layout.hostname,
    '--ro-bind',
    '/usr',
    '/usr',
    '--ro-bind',
    '/etc',
    '/etc',
    '--ro-bind',
    layout.identity.passwd,
    '/etc/passwd',
    '--ro-bind',
    layout.identity.group,
    '/etc/group',
  ];
  for (const entry of layout.rootEntries) {
    if (entry.kind === 'symlink') options.push('--symlink', entry.target, `/${entry.name}`);
    else options.push('--ro-bind', `/${entry.name}`, `/${entry.name}`);
  }
  if (layout.supervisor) options.push('--ro-bind', layout.supervisor, supervisorPathInSandbox);
  options.push('--dev', '/dev', '--proc', '/proc');
  // /tmp before the task directory: a task directory under /tmp is then bound inside the task's own /tmp.
  options.push('--bind', layout.tmpDir, '/tmp', '--dir', '/var', '--symlink', '../tmp', '/var/tmp');
  options.push('--bind', layout.taskDir, layout.taskDir, '--chdir', layout.taskDir);
  options.push('--remount-ro', '/');
  options.push('--clearenv');
  for (const [name, value] of Object.entries(layout.env)) options.push('--setenv', name, value);
  return options;
}

/** Why an environment cannot go into the NUL-separated argument file; undefined when it can. */
export function envProblem(env: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(env)) {
    if (name === '' || name.includes('=') || name.includes('\0'))
      return `the environment variable name ${JSON.stringify(name)} is not valid`;
    if (value.includes('\0')) return `the environment variable ${name} contains a NUL character`;
  }
  return undefined;
}

/** bubblewrap's `--args` file: NUL-separated, so that nothing of the environment shows in a process list. */
export function argsFileContent(options: readonly string[]): Buffer {
  return Buffer.from(options.map((option) => `${option}\0`).join(''));
}

export interface LaunchTools {
  readonly setpriv: string;
  readonly bwrap: string;
  /** perl, under /usr (so also in the sandbox), for the command supervisor; absent: the sh check. */
  readonly perl?: string;
  /** The compiled launcher (launcher-binary.ts), in place of the host script and setpriv. */
  readonly launcher?: string;
}

export interface LaunchPlan {
  readonly tools: LaunchTools;
  readonly hostScript: string;
  readonly taskDir: string;
  readonly argsFile: string;
  /** cgroup.procs files the process joins before it execs anything of the task. */
  readonly cgroupProcs: readonly string[];
  readonly user: FileUser;
  /** `--new-session` (commands: no way to push input into the worker's terminal); not for a pty shell. */
  readonly newSession: boolean;
  /** bubblewrap options after the argument file's (a shell's TERM). */
  readonly extraOptions?: readonly string[];
  /** What runs inside the sandbox, as the task user. */
  readonly command: readonly string[];
}

/**
 * The argv that starts one sandboxed process: as root on the host, the cgroups joined and bubblewrap's
 * argument file opened as fd 6, then the task user taken (its groups, no capabilities, no_new_privs), by the
 * compiled launcher in one exec or by the host script and setpriv in two -> bubblewrap (unprivileged, which
 * binds the task directory itself: its user can reach it) -> the command. One process all along until
 * bubblewrap forks, so the cgroups hold everything and bubblewrap's --die-with-parent watches the worker.
 */
export function launchArgv(plan: LaunchPlan): [string, ...string[]] {
  const { tools, user } = plan;
  const sandbox = [
    tools.bwrap,
    '--args',
    '6',
    ...(plan.newSession ? ['--new-session'] : []),
    ...(plan.extraOptions ?? []),
    '--',
    ...plan.command,
  ];
  const cgroups = [String(plan.cgroupProcs.length), ...plan.cgroupProcs];
  if (tools.launcher) {
    const groups = user.groups.length > 0 ? user.groups.join(',') : '-';
    return [
      tools.launcher,
      plan.argsFile,
      ...cgroups,
      String(user.uid),
      String(user.gid),
      groups,
      ...sandbox,
    ];
  }
  return [
    '/bin/sh',
    '-c',
    plan.hostScript,
    'tc-sandbox-host',
    plan.argsFile,
    ...cgroups,
    tools.setpriv,
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    user.groups.length > 0 ? `--groups=${user.groups.join(',')}` : '--clear-groups',
    '--no-new-privs',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
    ...sandbox,
  ];
}
