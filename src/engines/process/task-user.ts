// Whose rights decide whether a task may publish a file. The process engine runs tasks as the worker's own
// user; the sandbox engine will pass its task user instead.

export interface FileUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups. */
  readonly groups: readonly number[];
}

/** The worker process's own user (the process engine's task user). */
export function workerUser(): FileUser {
  return {
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    groups: process.getgroups?.() ?? [],
  };
}

interface ModeBits {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/**
 * Whether the permission bits grant `user` the access in `want` (4 read, 1 search/execute), by the owner,
 * group and other classes as the kernel applies them, but without root's override: a worker running as
 * root must not publish a file the task could only reach because root reads everything.
 */
export function permits(file: ModeBits, user: FileUser, want: 4 | 1): boolean {
  if (file.uid === user.uid) return (file.mode & (want << 6)) !== 0;
  if (file.gid === user.gid || user.groups.includes(file.gid)) return (file.mode & (want << 3)) !== 0;
  return (file.mode & want) !== 0;
}
