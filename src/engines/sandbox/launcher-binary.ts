// The launcher: the first process of every sandboxed command, as a small C program (compiled-helper.ts).
// It does in one exec what the host script and setpriv do in two (launch-scripts.ts, sandbox-layout.ts):
// as root on the host, it puts itself into the task's cgroups before anything of the task exists, opens
// bubblewrap's argument file as fd 6, drops every capability from its bounding set, takes the task user's
// uid, gid and groups, clears the inheritable and ambient capabilities, sets no_new_privs and execs
// bubblewrap. About 3 ms less per command than the shell and setpriv on these machines.
//
// Arguments: args-file count cgroup.procs... uid gid groups program args...; groups is `-` (none) or a
// comma-separated list of gids. A failure is the worker's, not the task's: exit 125 with a line on fd 3
// (`host <problem>`, when fd 3 is open) and on stderr, as the host script does.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { compiledHelper } from '../shared/compiled-helper.js';

export const launcherSource = `
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_GROUPS 256

static void fail(const char *what, const char *detail) {
  const char *separator = errno != 0 ? ": " : "";
  const char *reason = errno != 0 ? strerror(errno) : "";
  dprintf(2, "tc-worker sandbox: %s %s%s%s\\n", what, detail, separator, reason);
  if (fcntl(3, F_GETFD) != -1) dprintf(3, "host %s %s%s%s\\n", what, detail, separator, reason);
  exit(125);
}

static unsigned long number(const char *text, unsigned long max) {
  char *end;
  errno = 0;
  unsigned long value = strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != 0 || value > max || text[0] == '-') {
    errno = 0;
    fail("bad number", text);
  }
  return value;
}

int main(int argc, char **argv) {
  errno = 0;
  if (argc < 7) fail("usage:", "args-file count cgroup.procs... uid gid groups program args...");
  unsigned long joins = number(argv[2], 64);
  if ((unsigned long)argc < 3 + joins + 4) fail("too few arguments for", argv[2]);
  char **rest = argv + 3 + joins;
  uid_t uid = (uid_t)number(rest[0], 4294967294UL);
  gid_t gid = (gid_t)number(rest[1], 4294967294UL);
  errno = 0;
  if (uid == 0 || gid == 0) fail("refuses to run a task as", "root");

  char pid[24];
  int length = snprintf(pid, sizeof pid, "%d\\n", (int)getpid());
  for (unsigned long i = 0; i < joins; i++) {
    int fd = open(argv[3 + i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, (size_t)length) != length) fail("cannot join the cgroup", argv[3 + i]);
    close(fd);
  }
  int args = open(argv[1], O_RDONLY);
  if (args < 0) fail("cannot open", argv[1]);
  if (args != 6) {
    if (dup2(args, 6) < 0) fail("cannot move to fd 6:", argv[1]);
    close(args);
  }

  gid_t groups[MAX_GROUPS];
  size_t count = 0;
  if (strcmp(rest[2], "-") != 0) {
    char *list = rest[2];
    for (char *part = strtok(list, ","); part != NULL; part = strtok(NULL, ",")) {
      if (count == MAX_GROUPS) fail("too many groups:", rest[2]);
      groups[count++] = (gid_t)number(part, 4294967294UL);
    }
  }

  /* The bounding set first: dropping from it needs CAP_SETPCAP, which goes with root. */
  for (int cap = 0; cap < 64; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && errno != EINVAL) fail("cannot drop a capability", "");
  errno = 0;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
    fail("cannot clear the ambient capabilities", "");
  if (setgroups(count, groups) == -1) fail("cannot set the groups", rest[2]);
  if (setresgid(gid, gid, gid) == -1) fail("cannot take the gid", rest[1]);
  if (setresuid(uid, uid, uid) == -1) fail("cannot take the uid", rest[0]);
  /* Taking a uid other than 0 emptied the permitted and effective sets; the inheritable one goes here. */
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) == -1) fail("cannot clear the capabilities", "");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) fail("cannot set", "no_new_privs");
  if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
    fail("did not become the task user", rest[0]);
  execv(rest[3], rest + 3);
  fail("cannot run", rest[3]);
  return 125;
}
`;

/**
 * The launcher binary in `stateDir`, compiled now unless this source's build is there already; undefined
 * where there is no C compiler or it fails (then the host script and setpriv serve).
 */
export function launcherBinary(stateDir: string, log: Logger): Promise<string | undefined> {
  return compiledHelper(stateDir, { name: 'launch', source: launcherSource, works }, log);
}

/**
 * Whether the binary runs here and becomes the user it is told to (the state directory may be `noexec`):
 * `launch /dev/null 0 65534 65534 - /bin/sh -c 'test "$(id -u)" = 65534'` must exit 0.
 */
function works(binary: string, log: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    const check = ['/bin/sh', '-c', 'test "$(id -u):$(id -g)" = 65534:65534 && test -e /dev/fd/6'];
    const child = spawn(binary, ['/dev/null', '0', '65534', '65534', '-', ...check], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    let said = '';
    child.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.once('error', (error) => {
      log.warn({ err: error, binary }, 'the compiled sandbox launcher does not run; using sh and setpriv');
      resolve(false);
    });
    child.once('close', (code) => {
      if (code !== 0)
        log.warn({ binary, code, said }, 'the compiled sandbox launcher does not work; using sh and setpriv');
      resolve(code === 0);
    });
  });
}
