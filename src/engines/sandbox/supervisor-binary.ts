// The command supervisor as a small C program, compiled once per source version into the state directory
// where the host has a C compiler. It keeps the contract of the perl supervisor (launch-scripts.ts): run the
// command as a child, say on fd 3 that it could not start (`errno N`) or that a signal ended it
// (`signal N`), exit with its code. The same work in perl costs several milliseconds per command (the
// interpreter starting inside the sandbox); the binary costs a fork.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

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

const compilers = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/bin/tcc', '/usr/bin/clang'];
const compileTimeoutMs = 60_000;

/**
 * The supervisor binary in `stateDir`, compiled now unless this source's build is there already; undefined
 * where there is no C compiler or it fails (then the perl or sh supervisor serves, more slowly).
 */
export async function supervisorBinary(stateDir: string, log: Logger): Promise<string | undefined> {
  const version = createHash('sha256').update(supervisorSource).digest('hex').slice(0, 12);
  const binary = join(stateDir, `supervise-${version}`);
  if (await executable(binary)) return (await works(binary, log)) ? binary : undefined;
  for (const compiler of compilers) {
    if (!(await executable(compiler))) continue;
    const source = join(stateDir, `supervise-${version}.${process.pid}.c`);
    const output = `${binary}.${process.pid}.tmp`;
    try {
      await writeFile(source, supervisorSource, { mode: 0o600 });
      const problem = await run(compiler, ['-O2', '-o', output, source]);
      if (problem) {
        log.warn({ compiler, problem }, 'compiling the sandbox supervisor failed');
        continue;
      }
      // Task users execute it (through the sandbox's read-only bind); nobody may change it.
      await chmod(output, 0o755);
      await rename(output, binary);
      log.info({ binary, compiler }, 'sandbox supervisor compiled');
      return (await works(binary, log)) ? binary : undefined;
    } finally {
      await rm(source, { force: true });
      await rm(output, { force: true });
    }
  }
  return undefined;
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

function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** Runs the compiler; resolves undefined on success, else what went wrong. */
function run(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: compileTimeoutMs });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => resolve(error.message));
    child.once('close', (code, signal) =>
      resolve(code === 0 ? undefined : `exit ${code ?? signal}: ${stderr.trim().slice(0, 500)}`),
    );
  });
}
