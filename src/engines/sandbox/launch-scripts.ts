// The two small shell scripts every sandboxed process starts through. They are data here (passed with
// `sh -c`), so that nothing has to be installed beside the worker.

/**
 * Runs as root on the host and becomes the sandbox by exec: it puts itself into the task's cgroups before
 * anything of the task exists (so every process the task ever makes is counted and can be killed), opens
 * bubblewrap's argument file as fd 6, and execs setpriv.
 *
 * Arguments: args-file count cgroup.procs... command...
 * A failure here is the worker's, not the task's: exit 125 with a line on fd 3 (when open) and stderr.
 */
export const hostScript = [
  'args=$1 n=$2',
  'shift 2',
  'fail() { echo "tc-worker sandbox: $1" >&2; { echo "host $1" >&3; } 2>/dev/null; exit 125; }',
  'while [ "$n" -gt 0 ]; do echo $$ >"$1" || fail "cannot join the cgroup $1"; shift; n=$((n - 1)); done',
  'exec 6<"$args" || fail "cannot open $args"',
  'exec "$@"',
].join('\n');

/**
 * The fallback of superviseScript where there is no perl. Runs inside the sandbox as the task user, just
 * before the task's command: finds out as execvp would
 * whether the command can start (missing: ENOENT; a directory or not executable: EACCES), says so on fd 3
 * and exits 127; otherwise closes fd 3 (the task never sees it) and execs the command. Without it a command
 * that cannot start would look like one that exited 1 with bubblewrap's message.
 *
 * Arguments: command...
 */
export const execCheckScript = [
  'c=$1 r=',
  'case $c in',
  "'') r=ENOENT ;;",
  '*/*) if [ ! -e "$c" ]; then r=ENOENT; elif [ -d "$c" ] || [ ! -x "$c" ]; then r=EACCES; fi ;;',
  '*) r=ENOENT',
  '  IFS=:',
  '  set -f',
  '  for d in ${PATH-/bin:/usr/bin}; do',
  '    f=${d:-.}/$c',
  '    if [ -f "$f" ] && [ -x "$f" ]; then r=; break; fi',
  '    if [ -e "$f" ]; then r=EACCES; fi',
  '  done',
  '  unset IFS',
  '  set +f ;;',
  'esac',
  'if [ -n "$r" ]; then echo "$r" >&3; exit 127; fi',
  'exec 3>&-',
  'exec "$@"',
].join('\n');

/**
 * Runs inside the sandbox as the task user, in place of the command, where the machine has perl (Debian
 * always has: perl-base is essential): forks the command, and reports on fd 3 what the exit code alone
 * cannot say: that it could not start (`errno N` from exec) or that a signal ended it (`signal N`; the
 * sandbox's init turns that into the exit code 128+N). The command never sees fd 3: the child keeps only a
 * close-on-exec copy for its exec error.
 *
 * Arguments: command...
 */
export const superviseScript = [
  "open(my $st, '>&=', 3) or exit 125;",
  'my $pid = fork;',
  'if (!defined $pid) { syswrite $st, \'errno \' . ($! + 0) . "\\n"; exit 127; }',
  'if ($pid == 0) {',
  "  open(my $err, '>&', $st) or exit 125;",
  '  close $st;',
  '  exec { $ARGV[0] } @ARGV;',
  '  syswrite $err, \'errno \' . ($! + 0) . "\\n";',
  '  exit 127;',
  '}',
  'my $r;',
  'do { $r = waitpid($pid, 0) } while ($r == -1 && $! == 4);',
  'my $s = $?;',
  'if ($s & 127) { syswrite $st, \'signal \' . ($s & 127) . "\\n"; exit 128 + ($s & 127); }',
  'exit($s >> 8);',
].join('\n');

/** Exit code of the host script when the worker could not set the sandbox up. */
export const hostFailureExitCode = 125;
