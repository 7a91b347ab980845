// Whether a path the worker is about to trust (a binary it runs, a directory it builds in) is its own alone:
// not a link, of the kind expected, owned by the worker's user, and with none of `forbiddenBits` set (the
// group's and others' write bits for a file, every group and other bit for a private directory).
import { lstat } from 'node:fs/promises';

export async function ownedAlone(
  path: string,
  kind: 'file' | 'directory',
  forbiddenBits: number,
): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  if (!info || !(kind === 'file' ? info.isFile() : info.isDirectory())) return false;
  return info.uid === (process.getuid?.() ?? info.uid) && (info.mode & forbiddenBits) === 0;
}
