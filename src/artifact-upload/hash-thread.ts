// One worker thread that computes SHA-256 digests for large uploads, so that hashing (about 1.3 GB/s on one
// core) runs beside the upload instead of in front of it on the event loop. Shared by all uploads of the
// process; started on first use, kept referenced only while a digest is in progress, restarted if it dies.
// Bytes reach it two ways: copied into recycled buffers (any stream), or read in place from shared memory
// that the upload fills from the file and lends out (no copy at all).
import { Worker } from 'node:worker_threads';

// Plain CommonJS evaluated in the thread: no file to resolve, so it works the same under tsx and from dist/.
const threadSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
const shared = new Map();
const hashOf = (id) => {
  let hash = hashes.get(id);
  if (!hash) hashes.set(id, (hash = createHash('sha256')));
  return hash;
};
parentPort.on('message', (message) => {
  const { type, id } = message;
  if (type === 'update') {
    hashOf(id).update(new Uint8Array(message.data, 0, message.length));
    // The buffer goes back to be filled again: fresh memory for every chunk costs page faults.
    parentPort.postMessage({ type: 'ack', id, bytes: message.length, data: message.data }, [message.data]);
  } else if (type === 'attach') {
    shared.set(id, message.memory);
  } else if (type === 'hash-shared') {
    hashOf(id).update(new Uint8Array(shared.get(id), message.offset, message.length));
    parentPort.postMessage({ type: 'ack', id, bytes: message.length, tag: message.tag });
  } else if (type === 'end') {
    const hash = hashOf(id);
    hashes.delete(id);
    shared.delete(id);
    parentPort.postMessage({ type: 'digest', id, hex: hash.digest('hex') });
  } else if (type === 'drop') {
    hashes.delete(id);
    shared.delete(id);
  }
});
`;

type ThreadMessage =
  | { type: 'ack'; id: number; bytes: number; data?: ArrayBuffer; tag?: number }
  | { type: 'digest'; id: number; hex: string };

/** Chunks up to this size are gathered into recycled buffers (the read chunk size). */
const bufferSize = 1024 * 1024;
/** Buffers kept for reuse (memory held while idle: at most this many MiB). */
const maxFreeBuffers = 16;

interface Pending {
  /** `tag`: what hashShared was given. */
  onAck(bytes: number, tag?: number): void;
  onDigest(hex: string): void;
  onError(error: Error): void;
}

/** A digest in progress in the thread. */
export interface ThreadHash {
  /** Copies the bytes for the thread (the caller may reuse its buffer); acknowledged once hashed. */
  update(chunk: Uint8Array): void;
  /** Lends the thread shared memory, for hashShared. */
  attach(memory: SharedArrayBuffer): void;
  /** Hashes bytes of the attached memory in place; they must not change until acknowledged (with `tag`). */
  hashShared(offset: number, length: number, tag: number): void;
  digest(): Promise<string>;
  /** Forgets the digest (the upload attempt failed). */
  drop(): void;
}

class HashThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #free: ArrayBuffer[] = [];
  #nextId = 0;
  #dead = false;

  constructor(onExit: () => void) {
    // No flags of the parent (`--input-type=module` would make the source an ES module, loaders cost time).
    this.#worker = new Worker(threadSource, { eval: true, execArgv: [] });
    this.#worker.unref();
    this.#worker.on('message', (message: ThreadMessage) => {
      if (
        message.type === 'ack' &&
        message.data?.byteLength === bufferSize &&
        this.#free.length < maxFreeBuffers
      )
        this.#free.push(message.data);
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      if (message.type === 'ack') pending.onAck(message.bytes, message.tag);
      else {
        this.#forget(message.id);
        pending.onDigest(message.hex);
      }
    });
    const fail = (error: Error): void => {
      if (this.#dead) return;
      this.#dead = true;
      onExit();
      for (const pending of this.#pending.values()) pending.onError(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the hashing thread exited (code ${code})`)));
  }

  start(handlers: Pending): ThreadHash {
    if (this.#dead) throw new Error('the hashing thread is not running');
    const id = this.#nextId++;
    this.#pending.set(id, handlers);
    // Referenced while a digest is open: the process must not exit under an upload that waits for it.
    if (this.#pending.size === 1) this.#worker.ref();
    // Small chunks (a socket's, zlib's) are gathered into one buffer: a message per 64 KiB would cost more
    // than the hashing saves.
    let buffer: ArrayBuffer | undefined;
    let filled = 0;
    const post = (): void => {
      if (!buffer || filled === 0) return;
      this.#worker.postMessage({ type: 'update', id, data: buffer, length: filled }, [buffer]);
      buffer = undefined;
      filled = 0;
    };
    return {
      update: (chunk) => {
        // Copies the thread owns (transferred, not cloned again): the caller's chunk goes on to the socket.
        if (chunk.byteLength > bufferSize) {
          post();
          const data = new ArrayBuffer(chunk.byteLength);
          new Uint8Array(data).set(chunk);
          this.#worker.postMessage({ type: 'update', id, data, length: chunk.byteLength }, [data]);
          return;
        }
        if (buffer && filled + chunk.byteLength > bufferSize) post();
        buffer ??= this.#free.pop() ?? new ArrayBuffer(bufferSize);
        new Uint8Array(buffer, filled).set(chunk);
        filled += chunk.byteLength;
        if (filled === bufferSize) post();
      },
      attach: (memory) => this.#worker.postMessage({ type: 'attach', id, memory }),
      hashShared: (offset, length, tag) => {
        post();
        this.#worker.postMessage({ type: 'hash-shared', id, offset, length, tag });
      },
      digest: () =>
        new Promise<string>((resolve, reject) => {
          const entry = this.#pending.get(id);
          if (!entry) return reject(new Error('the digest was dropped'));
          entry.onDigest = resolve;
          entry.onError = reject;
          post();
          this.#worker.postMessage({ type: 'end', id });
        }),
      drop: () => {
        if (!this.#pending.has(id)) return;
        if (buffer && this.#free.length < maxFreeBuffers) this.#free.push(buffer);
        buffer = undefined;
        this.#forget(id);
        this.#worker.postMessage({ type: 'drop', id });
      },
    };
  }

  #forget(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0 && !this.#dead) this.#worker.unref();
  }
}

let thread: HashThread | undefined;

/**
 * Starts a digest in the shared thread. `onAck(bytes, tag)` reports bytes hashed (for backpressure, and
 * to hand shared memory back); `onError` is called if the thread dies before the digest is taken.
 */
export function startThreadHash(
  onAck: (bytes: number, tag?: number) => void,
  onError: (error: Error) => void,
): ThreadHash {
  thread ??= new HashThread(() => (thread = undefined));
  return thread.start({ onAck, onDigest: () => undefined, onError });
}
