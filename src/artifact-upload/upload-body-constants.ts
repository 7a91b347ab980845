// Sizes shared by the ways a body is read and prepared.

/** Files up to this size are compressed in memory (a temporary file costs more than it saves). */
export const inMemoryGzipLimit = 1024 * 1024;
