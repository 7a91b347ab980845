// Whether the files published under one name are the same artifact: their content (size and SHA-256), or
// the same reason they cannot be read. Only needed when one name comes from two different paths.
import { sha256Of } from '../../artifact-upload/sha256-stream.js';
import type { ResultSet } from '../../engines/types.js';
import { ArtifactSourceError } from '../../errors.js';

export async function sameContent(result: ResultSet, paths: readonly string[]): Promise<boolean> {
  const fingerprints = await Promise.all(paths.map((path) => fingerprint(result, path)));
  return fingerprints.every((value) => value === fingerprints[0]);
}

async function fingerprint(result: ResultSet, path: string): Promise<string> {
  let file;
  try {
    file = await result.readFile(path);
  } catch (error) {
    if (error instanceof ArtifactSourceError) return `unreadable:${error.reason}`;
    throw error;
  }
  try {
    return `${file.size}:${await sha256Of(file.open())}`;
  } catch {
    return 'unreadable:file-not-readable-on-worker';
  } finally {
    await file.close?.();
  }
}
