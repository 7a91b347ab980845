// The fields of /proc/<pid>/stat after the command name. The name (field 2) may hold spaces and parentheses,
// so the fields start after its last ')'. Index 0 is the state (field 3 of proc(5)), 2 the process group,
// 3 the session, 13 and 14 the reaped children's user and system time, 19 the start time.
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
