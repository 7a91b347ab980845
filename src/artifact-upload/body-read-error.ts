// Reading an artifact's bytes failed (the file went away, changed length, an I/O error): unlike a network
// error, a retry would not help.

export class BodyReadError extends Error {
  /** Set once createArtifact was called for it: then no error artifact can take its place. */
  artifactCreated = false;
  constructor(cause: unknown) {
    super(`reading the artifact failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'BodyReadError';
  }
}
