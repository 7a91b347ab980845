// What the sandbox engine needs from the machine, checked once when the engine is created, so that a
// worker on a machine without it stops at start-up with a message saying what to install, rather than
// failing every task.
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { findTool } from '../shared/find-tool.js';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { detectV1Mounts, type V1Mounts } from './cgroup-v1.js';
import { missingV2Controllers } from './cgroup-v2.js';
import { outputText } from '../shared/child-output.js';
import type { LaunchTools } from './sandbox-layout.js';

const run = promisify(execFile);

export const installHint =
  'Install what is missing with `sudo bash scripts/services/install-sandbox.sh` (in a tc-worker checkout), ' +
  'or on Debian `apt-get install bubblewrap util-linux`; the engine needs root, cgroups (v1 memory, ' +
  'pids, cpu and freezer, or v2) and unprivileged user namespaces.';

/** The machine cannot run the sandbox engine; the message lists every reason and how to fix it. */
export class SandboxUnavailableError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`the sandbox engine cannot run on this machine:\n- ${problems.join('\n- ')}\n${installHint}`);
    this.name = 'SandboxUnavailableError';
    this.problems = problems;
  }
}

export type CgroupSupport =
  { readonly version: 1; readonly mounts: V1Mounts } | { readonly version: 2; readonly root: string };

export interface HostSupport {
  readonly tools: LaunchTools;
  readonly cgroups: CgroupSupport;
}

const toolDirs = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function checkHost(cgroupRoot = '/sys/fs/cgroup'): Promise<HostSupport> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0)
    problems.push('the worker does not run as root (it gives tasks their own uids and cgroups)');

  const names = {
    bwrap: 'bwrap (package bubblewrap)',
    setpriv: 'setpriv (package util-linux)',
  } as const;
  const found: Partial<Record<keyof typeof names, string>> = {};
  for (const [tool, label] of Object.entries(names) as Array<[keyof typeof names, string]>) {
    const path = await findTool(tool);
    if (path) found[tool] = path;
    else problems.push(`${label} is not installed`);
  }
  // Optional: without perl a signal's end of a command shows as the exit code 128+N.
  const perl = await findTool('perl');

  let cgroups: CgroupSupport | undefined;
  const unified = await access(join(cgroupRoot, 'cgroup.controllers')).then(
    () => true,
    () => false,
  );
  if (unified) {
    const missing = await missingV2Controllers(cgroupRoot);
    if (missing.length > 0) problems.push(`cgroup v2 lacks the controllers ${missing.join(', ')}`);
    else cgroups = { version: 2, root: cgroupRoot };
  } else {
    const { mounts, missing } = await detectV1Mounts(cgroupRoot);
    if (missing.length > 0)
      problems.push(`no cgroup v2, and the cgroup v1 controllers ${missing.join(', ')} are not mounted`);
    else cgroups = { version: 1, mounts };
  }

  const sysctl = async (path: string): Promise<string | undefined> =>
    (await readFile(path, 'utf8').catch(() => undefined))?.trim();
  if ((await sysctl('/proc/sys/user/max_user_namespaces')) === '0')
    problems.push('user namespaces are disabled (sysctl user.max_user_namespaces = 0)');
  if ((await sysctl('/proc/sys/kernel/unprivileged_userns_clone')) === '0')
    problems.push('unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone = 0)');

  const { bwrap, setpriv } = found;
  if (problems.length === 0 && bwrap && setpriv) {
    const smoke = await smokeTest(setpriv, bwrap);
    if (smoke) problems.push(smoke);
  }
  if (problems.length > 0 || !cgroups || !bwrap || !setpriv) throw new SandboxUnavailableError(problems);
  return {
    tools: { bwrap, setpriv, ...(perl ? { perl } : {}) },
    cgroups,
  };
}

/**
 * Runs `true` in a minimal sandbox as an unprivileged user (nobody's id): catches what the files cannot
 * tell, such as a security module that forbids unprivileged user namespaces. Returns the problem, if any.
 */
async function smokeTest(setpriv: string, bwrap: string): Promise<string | undefined> {
  const nobody = '65534';
  try {
    await run(
      setpriv,
      [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', '--no-new-privs', '--', bwrap]
        .concat(['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent'])
        .concat(['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib'])
        .concat(['--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '--dev', '/dev', '--', '/bin/true']),
      { env: { PATH: toolDirs.join(':') }, timeout: 10_000 },
    );
    return undefined;
  } catch (error) {
    const stderr = outputText((error as { stderr?: unknown }).stderr);
    return `bubblewrap cannot make a sandbox as an unprivileged user: ${stderr || (error as Error).message}`;
  }
}
