// The command supervisor as a small C program, compiled once per source version into the state directory
// where the host has a C compiler (compiled-helper.ts). It keeps the contract of the perl supervisor (launch-scripts.ts): run the
// command as a child, say on fd 3 that it could not start (`errno N`) or that a signal ended it
// (`signal N`), exit with its code. The same work in perl costs several milliseconds per command (the
// interpreter starting inside the sandbox); the binary costs a fork.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { compiledHelper } from '../shared/compiled-helper.js';

/** Where the binary appears inside every sandbox (bound read-only onto the sandbox's tmpfs root). */
export const supervisorPathInSandbox = '/run/tc-worker/supervise';

export const supervisorSource = `
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(int fd, const char *kind, int value) {
  char line[48];
  int length = snprintf(line, sizeof line, "%s %d\\n", kind, value);
  if (length > 0) (void)!write(fd, line, (size_t)length);
}

int main(int argc, char **argv) {
  if (argc < 2 || fcntl(3, F_GETFD) == -1) return 125;
  pid_t child = fork();
  if (child < 0) {
    report(3, "errno", errno);
    return 127;
  }
  if (child == 0) {
    /* The command never sees fd 3: only a close-on-exec copy stays, for the exec error. */
    int status_fd = fcntl(3, F_DUPFD_CLOEXEC, 10);
    close(3);
    execvp(argv[1], argv + 1);
    report(status_fd, "errno", errno);
    _exit(127);
  }
  int status;
  pid_t reaped;
  do reaped = waitpid(child, &status, 0);
  while (reaped == -1 && errno == EINTR);
  if (reaped == -1) return 125;
  if (WIFSIGNALED(status)) {
    report(3, "signal", WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}
`;

/**
 * The supervisor binary in `stateDir`, compiled now unless this source's build is there already; undefined
 * where there is no C compiler or it fails (then the perl or sh supervisor serves, more slowly).
 */
export function supervisorBinary(stateDir: string, log: Logger): Promise<string | undefined> {
  return compiledHelper(stateDir, { name: 'supervise', source: supervisorSource, works }, log);
}

/**
 * Whether the binary runs here (the state directory may be on a `noexec` file system, which the sandbox's
 * bind would inherit): `supervise /bin/true` must exit 0 with nothing said on fd 3.
 */
function works(binary: string, log: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['/bin/true'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let said = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.once('error', (error) => {
      log.warn({ err: error, binary }, 'the compiled sandbox supervisor does not run; using perl');
      resolve(false);
    });
    child.once('close', (code) => {
      const ok = code === 0 && said === '';
      if (!ok) log.warn({ binary, code, said }, 'the compiled sandbox supervisor does not work; using perl');
      resolve(ok);
    });
  });
}
