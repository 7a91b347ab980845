// The process spawner: a small C program (compiled-helper.ts) that starts commands for the worker. Node's
// spawn forks the whole worker, whose page tables (some 60 MB of heap and code) the kernel copies for every
// command, 2 to 4 ms each on these machines, with the event loop blocked all the while; this program is
// small, so its fork is cheap, and the worker only writes a request. Output still flows from the command to
// the worker directly: the worker opens the pipes' read ends through /proc/<spawner>/fd/<n> (a fresh open
// of the same pipe), after which the spawner closes its own.
//
// Requests on stdin, fields each ended by NUL:
//   S id cwd argc argv... envc env...    start argv in cwd with exactly env (PATH searched in env's PATH),
//                                        in a session of its own, stdin /dev/null
//   C id                                 the worker has the read ends of id: the spawner closes its own
// Replies on stdout, a line each:
//   S id pid outfd errfd                 started; outfd and errfd are the read ends of stdout and stderr
//   F id errno                           could not start (chdir or exec failed); nothing is left running
//   E id status utime_us stime_us        exited; status as waitpid reports it, CPU time from wait4
// EOF on stdin (the worker is gone) ends the spawner; it also dies with the worker (PR_SET_PDEATHSIG).

export const spawnerSource = `
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct child { char id[32]; pid_t pid; int out, err; int running; int open; };
static struct child *children;
static size_t child_count, child_room;

static void reply(const char *line, int length) {
  for (int done = 0; done < length;) {
    ssize_t n = write(1, line + done, (size_t)(length - done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) exit(0);
    done += (int)n;
  }
}

static struct child *find_id(const char *id) {
  for (size_t i = 0; i < child_count; i++) if (strcmp(children[i].id, id) == 0) return &children[i];
  return NULL;
}

static void forget(struct child *c) {
  if (c->running || c->open) return;
  *c = children[--child_count];
}

static void close_fds_from(int first, int keep) {
#ifdef SYS_close_range
  if (keep > first && syscall(SYS_close_range, first, keep - 1, 0) == 0 &&
      syscall(SYS_close_range, keep + 1, ~0U, 0) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (int fd = first; fd < (max > 0 ? max : 4096); fd++) if (fd != keep) close(fd);
}

static void start(char *id, char *cwd, char **argv, char **envp) {
  char line[96];
  int out[2], err[2], status[2];
  if (strlen(id) >= sizeof children[0].id) return;
  if (pipe2(out, O_CLOEXEC) < 0) goto fail_early;
  if (pipe2(err, O_CLOEXEC) < 0) { close(out[0]); close(out[1]); goto fail_early; }
  if (pipe2(status, O_CLOEXEC) < 0) { close(out[0]); close(out[1]); close(err[0]); close(err[1]); goto fail_early; }
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) goto child_fail;
    if (status[1] < 3) goto child_fail;
    close_fds_from(3, status[1]);
    if (chdir(cwd) != 0) goto child_fail;
    environ = envp;
    execvp(argv[0], argv);
  child_fail: {
      int code = errno;
      (void)!write(status[1], &code, sizeof code);
      _exit(127);
    }
  }
  int code = errno;
  close(out[1]);
  close(err[1]);
  close(status[1]);
  if (pid < 0) {
    close(out[0]); close(err[0]); close(status[0]);
    errno = code;
    goto fail_early;
  }
  ssize_t got;
  do got = read(status[0], &code, sizeof code);
  while (got < 0 && errno == EINTR);
  close(status[0]);
  if (got == (ssize_t)sizeof code) {
    close(out[0]);
    close(err[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    reply(line, snprintf(line, sizeof line, "F %s %d\\n", id, code));
    return;
  }
  if (child_count == child_room) {
    child_room = child_room ? child_room * 2 : 16;
    children = realloc(children, child_room * sizeof *children);
    if (!children) exit(70);
  }
  struct child *c = &children[child_count++];
  strcpy(c->id, id);
  c->pid = pid; c->out = out[0]; c->err = err[0]; c->running = 1; c->open = 1;
  reply(line, snprintf(line, sizeof line, "S %s %d %d %d\\n", id, (int)pid, out[0], err[0]));
  return;
fail_early:
  reply(line, snprintf(line, sizeof line, "F %s %d\\n", id, errno));
}

static void reap(void) {
  int status;
  struct rusage usage;
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &usage)) > 0) {
    for (size_t i = 0; i < child_count; i++) {
      struct child *c = &children[i];
      if (c->pid != pid || !c->running) continue;
      char line[128];
      long long user = (long long)usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec;
      long long system = (long long)usage.ru_stime.tv_sec * 1000000 + usage.ru_stime.tv_usec;
      reply(line, snprintf(line, sizeof line, "E %s %d %lld %lld\\n", c->id, status, user, system));
      c->running = 0;
      forget(c);
      break;
    }
  }
}

/* Fields of the request being parsed: grown as needed, so that no argv or environment is too long here
   (the kernel's own limit on exec then gives E2BIG, as for Node's spawn). */
static char **fields;
static size_t field_room;

static void add_field(size_t count, char *field) {
  if (count == field_room) {
    field_room = field_room ? field_room * 2 : 256;
    fields = realloc(fields, field_room * sizeof *fields);
    if (!fields) exit(70);
  }
  fields[count] = field;
}

/* One request from buf[0..length), or 0 when it is not complete yet; its size otherwise. */
static size_t request(char *buf, size_t length) {
  size_t count = 0, at = 0, need = 2;
  while (count < need) {
    char *end = memchr(buf + at, 0, length - at);
    if (!end) return 0;
    add_field(count++, buf + at);
    at = (size_t)(end - buf) + 1;
    if (count == 1) need = fields[0][0] == 'S' ? 4 : 2;
    else if (fields[0][0] == 'S' && count == 4) need = 5 + (size_t)atol(fields[3]);
    else if (fields[0][0] == 'S' && count > 4 && count == 5 + (size_t)atol(fields[3]))
      need = count + (size_t)atol(fields[count - 1]);
  }
  if (fields[0][0] == 'S') {
    size_t argc = (size_t)atol(fields[3]);
    size_t envc = (size_t)atol(fields[4 + argc]);
    /* argv and envp point into fields, NULL-ended: the two lists need room for their ends. */
    char **argv = malloc((argc + 1) * sizeof *argv), **envp = malloc((envc + 1) * sizeof *envp);
    if (!argv || !envp) exit(70);
    for (size_t i = 0; i < argc; i++) argv[i] = fields[4 + i];
    argv[argc] = NULL;
    for (size_t i = 0; i < envc; i++) envp[i] = fields[5 + argc + i];
    envp[envc] = NULL;
    if (argc > 0) start(fields[1], fields[2], argv, envp);
    free(argv);
    free(envp);
  } else if (fields[0][0] == 'C') {
    struct child *c = find_id(fields[1]);
    if (c && c->open) { close(c->out); close(c->err); c->open = 0; forget(c); }
  }
  return at;
}

int main(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 71;
  size_t room = 1 << 16, length = 0;
  char *buf = malloc(room);
  if (!buf) return 70;
  reply("R\\n", 2);
  for (;;) {
    struct pollfd fds[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) { if (errno == EINTR) continue; return 72; }
    if (fds[1].revents) {
      struct signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) > 0) {}
      reap();
    }
    if (fds[0].revents) {
      if (length == room) { room *= 2; buf = realloc(buf, room); if (!buf) return 70; }
      ssize_t n = read(0, buf + length, room - length);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return 0;
      length += (size_t)n;
      size_t used;
      while (length > 0 && (used = request(buf, length)) > 0) {
        memmove(buf, buf + used, length - used);
        length -= used;
      }
      reap();
    }
  }
}
`;
