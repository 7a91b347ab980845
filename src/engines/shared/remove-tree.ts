// Removing a run's directories after the task. Most runs leave a handful of entries (the log, an empty
// scratch or task directory): those go with synchronous calls, a quarter of the CPU that the thread pool's
// round trip per entry costs, and the removal runs beside the next task. Anything bigger goes asynchronously,
// so that a task that left a huge tree never blocks the event loop.
import { readdirSync, rmdirSync, rmSync, unlinkSync, type Dirent } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/** At most this many entries, and subdirectories only if empty, count as small. */
const smallTreeEntries = 8;

/**
 * Removes `path` and everything below it; a missing path is fine. `knownFiles`: names of files the caller
 * expects in it (the run's log), removed first, so that the usual run directory goes with one call per
 * entry instead of a listing and a look at each.
 */
export async function removeTree(path: string, knownFiles: readonly string[] = []): Promise<void> {
  if (removedEmptied(path, knownFiles) || removedSmallTree(path)) return;
  await rm(path, { recursive: true, force: true, maxRetries: 3 });
}

/** True when `path` is gone after its known files: it was empty but for them, or missing. */
function removedEmptied(path: string, knownFiles: readonly string[]): boolean {
  const missing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';
  for (const name of knownFiles) {
    try {
      unlinkSync(join(path, name));
    } catch (error) {
      // Not a file after all (the general removal sees to it), or already gone.
      if (!missing(error)) return false;
    }
  }
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    // ENOTEMPTY: more than the known files; the general removal lists it.
    return missing(error);
  }
}

/** True when `path` is gone, or was small and is now removed; false leaves the work (and errors) to rm. */
function removedSmallTree(path: string): boolean {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  if (entries.length > smallTreeEntries) return false;
  try {
    for (const entry of entries)
      if (entry.isDirectory() && readdirSync(join(path, entry.name)).length > 0) return false;
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}
