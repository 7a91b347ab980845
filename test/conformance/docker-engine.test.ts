// The engine conformance suite against the docker engine and a real Docker daemon (started by
// scripts/services/start-docker.sh; where it cannot be, the suite fails in CI and skips loudly elsewhere).
// A docker-worker payload has one command, so the suite's command lists become one shell script that runs
// them in turn in the task directory (bound into the container at the same path) and stops at the first
// that fails.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { createDockerEngine } from '../../src/engines/docker/docker-engine.js';
import { defaultDockerSettings } from '../../src/engines/docker/docker-settings.js';
import { silentLog } from '../../src/log/worker-log.js';
import { formatArgv } from '../../src/log/task-log-format.js';
import { busyboxImage, debianImage, dockerService } from '../helpers/docker-service.js';
import { engineConformance } from './engine-suite.js';

// Debian's: the suite's process trees are written for a POSIX shell that does not exec its last command.
const docker = await dockerService({ debian: true });

/** One script for the commands: each in turn, the first that fails ends it with its exit code. */
function script(commands: string[][], dir: string | undefined): string {
  const steps = commands.map((argv) => `${formatArgv(argv)} || exit $?`);
  return [...(dir ? [`cd ${formatArgv([dir])} || exit 90`] : []), ...steps].join('; ');
}

/** Host pids of the processes in the task's container (docker top), none once it is gone. */
function containerPids(taskId: string): number[] {
  const ids = execFileSync('docker', ['ps', '-q', '--filter', `label=tc-worker.task=${taskId}/0`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  return ids.flatMap((id) => {
    try {
      return execFileSync('docker', ['top', id, '-eo', 'pid'], { encoding: 'utf8' })
        .split('\n')
        .slice(1)
        .map(Number)
        .filter((pid) => Number.isSafeInteger(pid) && pid > 0);
    } catch {
      return [];
    }
  });
}

if ('skip' in docker) describe('engine conformance: docker', { skip: docker.skip }, () => undefined);
else
  engineConformance({
    name: 'docker',
    create: () =>
      createDockerEngine(
        {
          socket: docker.socket,
          network: 'none',
          pullRetries: 0,
          imageGc: { ...defaultDockerSettings.imageGc, keepImages: [busyboxImage, debianImage] },
        },
        silentLog(),
      ),
    // In a file of the task directory where there is one: the log's `Executing command 0` line then shows
    // the file, not the commands (which the suite checks for output that must not appear).
    payload: (commands, task) => {
      if (!task)
        return { image: debianImage, command: ['sh', '-c', script(commands, undefined)], maxRunTime: 600 };
      const file = join(task.taskDir, '.commands.sh');
      writeFileSync(file, script(commands, task.taskDir));
      return { image: debianImage, command: ['sh', file], maxRunTime: 600 };
    },
    capabilities: { shell: true },
    // Each task has its own container (PID, mount, network namespaces): another task's directory is not in it.
    isolated: true,
    taskProcesses: (task) => containerPids(task.taskId),
    knownGaps: {
      commandList:
        'a docker-worker payload has one command (here one script for the list): the log has one ' +
        '`Executing command 0` and one result block, and a binary that cannot start is exit code 127, as in `docker run`',
      hostTaskFiles:
        "docker-worker artifacts are paths of the container's own file system (its /etc/passwd is the image's); " +
        'nothing of the host is reachable, so paths outside the task directory are not refused, and another ' +
        "task's directory is missing rather than unreadable",
    },
  });
