// Where a system tool is installed: the usual system directories, searched in order, whatever the
// worker's own PATH (a service manager may give it a short one).
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

const toolDirs = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The tool's path in the usual system directories, if it is installed there and executable. */
export async function findTool(name: string): Promise<string | undefined> {
  for (const dir of toolDirs) {
    const path = join(dir, name);
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return undefined;
}
