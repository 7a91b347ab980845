// The artifact calls of one run, kept in order per artifact name: a call for a name goes out once the previous
// call for that name was answered. The live log is made a reference when the task starts and a link to the
// backing log when it ends; a short task ends before the first answer is back, and a queue with several
// replicas could apply the two in either order, leaving the finished task's log pointing at a server that
// is gone. Calls for different names still overlap.
import type { RunArtifacts } from '../queue/types.js';

export function orderedArtifacts(target: RunArtifacts): RunArtifacts {
  /** Per name, the last call made, settled either way; removed once nothing follows it. */
  const last = new Map<string, Promise<void>>();
  const inOrder = <T>(name: string, call: () => Promise<T>): Promise<T> => {
    const previous = last.get(name);
    const result = previous ? previous.then(call) : call();
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    last.set(name, settled);
    void settled.then(() => {
      if (last.get(name) === settled) last.delete(name);
    });
    return result;
  };
  return {
    createArtifact: (name, request) => inOrder(name, () => target.createArtifact(name, request)),
    finishArtifact: (name, uploadId) => inOrder(name, () => target.finishArtifact(name, uploadId)),
  };
}
