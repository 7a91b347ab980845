// Sizes shared by the ways a body is read and prepared.

/** Chunk size for reading bodies: large chunks cost fewer system calls and hash updates. */
export const readChunkSize = 1024 * 1024;

/** Files up to this size are compressed in memory (a temporary file costs more than it saves). */
export const inMemoryGzipLimit = 1024 * 1024;
