// Whether this machine can run the sandbox engine, for its tests: runs scripts/services/install-sandbox.sh
// (which installs bubblewrap when it is missing and checks cgroups and user namespaces) once per test
// process. Where it cannot be made ready: the tests fail in CI (CI=true) and skip loudly elsewhere.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxEngineOptions } from '../../../src/engines/sandbox/sandbox-engine.js';

const script = fileURLToPath(new URL('../../../scripts/services/install-sandbox.sh', import.meta.url));
const HOW_TO =
  'make the machine ready with `sudo bash scripts/services/install-sandbox.sh` (Debian, as root)';

/** Engine options for tests: a state directory of their own, shared by every test process. */
export const testEngineOptions: SandboxEngineOptions = {
  stateDir: join(tmpdir(), 'tcw-sandbox-test-state'),
  limits: { pids: 512, memoryMB: 1024 },
};

function runScript(): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

let checked: Promise<{ skip?: string }> | undefined;

/** `{}` when the sandbox engine can run here; `{ skip }` (outside CI only) when it cannot. */
export function sandboxHost(): Promise<{ skip?: string }> {
  checked ??= (async () => {
    const { code, stderr } = await runScript();
    if (code === 0) return {};
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    if (code !== 2) throw new Error(`${script} failed (exit ${code}):\n${stderr}`);
    if (process.env.CI === 'true')
      throw new Error(
        `cannot run the sandbox engine here: ${tail}\nCI needs it for the sandbox tests: ${HOW_TO}.`,
      );
    const message = `SKIPPING sandbox engine tests: ${tail}\n  To run them, ${HOW_TO}.`;
    process.stderr.write(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`);
    return { skip: message };
  })();
  return checked;
}

/** The live processes in a task's cgroup (by its user name), for the tests' leftover checks. */
export function taskCgroupPids(name: string, parent = 'tc-worker'): number[] {
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const file = v2
    ? join('/sys/fs/cgroup', parent, name, 'cgroup.procs')
    : join('/sys/fs/cgroup/pids', parent, name, 'cgroup.procs');
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => {
        try {
          return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** The uid records of the test engines (task-accounts.ts): every task user that exists, with its owner. */
export function uidRecords(): { name: string; uid: number; comment: string }[] {
  const dir = join(testEngineOptions.stateDir ?? '', 'uids');
  const names = existsSync(dir) ? readdirSync(dir) : [];
  return names.flatMap((entry) => {
    let text: string;
    try {
      text = readFileSync(join(dir, entry), 'utf8');
    } catch {
      return [];
    }
    const [name = '', comment = ''] = text.split('\n');
    return [{ name, uid: Number(entry), comment }];
  });
}

/**
 * The user of a started task, which also names its cgroups: the owner of its task directory (the engine
 * hands it over at start), by the uid records. Task users come from a pool made ahead of time, so a task id
 * does not name them.
 */
export function taskUserOf(taskDir: string): string {
  let uid: number;
  try {
    uid = statSync(taskDir).uid;
  } catch {
    return '';
  }
  return uidRecords().find((record) => record.uid === uid)?.name ?? '';
}
