// What makes a string usable as an artifact name. Names become URL paths and object keys, and tools split
// them on `/`: a name that could address something else, or that a log line could not show, is refused.

/** Longest artifact name accepted, in characters. */
export const maxArtifactNameLength = 1024;

// C0 and C1 control characters and DEL: invisible in logs and URLs, and a newline could forge a log line.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `name` is not a valid artifact name, in words that complete "... is not a valid artifact name: ", or undefined. */
export function artifactNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > maxArtifactNameLength)
    return `it is ${name.length} characters long (at most ${maxArtifactNameLength})`;
  const control = controlCharacter.exec(name);
  if (control)
    return `it contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (name.startsWith('/')) return 'it starts with "/"';
  const segments = name.split('/');
  if (segments.includes('')) return 'it has an empty segment ("//", or "/" at the end)';
  if (segments.includes('..')) return 'it has a ".." segment';
  if (segments.includes('.')) return 'it has a "." segment';
  return undefined;
}
