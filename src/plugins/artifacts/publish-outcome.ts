// What went wrong while publishing a task's artifacts, and the one error the stopped hook throws for it:
// a worker bug outweighs a malformed payload, which outweighs storage trouble, which outweighs a missing
// file (the same order the task run weighs resolutions in).
import { inspect } from 'node:util';
import { MalformedPayloadError, ResourceUnavailableError, TaskFailureError } from '../../errors.js';

export class PublishOutcome {
  /** Malformed-payload problems found after the task (one name, different content). */
  readonly problems: string[] = [];
  readonly #missing: Array<{ order: number; text: string }> = [];
  readonly #errors: unknown[] = [];

  /** A required artifact could not be published (`order`: its entry's position, for a stable message). */
  missing(order: number, text: string): void {
    this.#missing.push({ order, text });
  }

  /** Storage trouble or a bug while uploading one artifact. */
  failed(error: unknown): void {
    this.#errors.push(error);
  }

  error(): Error | undefined {
    const bug = this.#errors.find((error) => !(error instanceof ResourceUnavailableError));
    if (bug !== undefined) return bug instanceof Error ? bug : new Error(inspect(bug));
    if (this.problems.length > 0) return new MalformedPayloadError(this.problems);
    const storage = this.#errors[0];
    if (storage instanceof Error) return storage;
    if (this.#missing.length > 0) {
      const texts = [...this.#missing].sort((a, b) => a.order - b.order).map((entry) => entry.text);
      return new TaskFailureError(`required artifacts could not be published: ${texts.join(', ')}`);
    }
    return undefined;
  }
}
