// Synchronous file work behind an asynchronous interface: for the small, fast calls (kernel files, a few
// entries in the page cache) that cost less done at once than a thread-pool round trip each, where callers
// expect a promise that rejects with the call's error.

/** Runs `work` now; the promise resolves after it, or rejects with what it threw. */
export function syncWork(work: () => void): Promise<void> {
  return new Promise((resolve) => {
    work();
    resolve();
  });
}
