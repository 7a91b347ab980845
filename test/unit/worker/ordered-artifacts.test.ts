import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  CreateArtifactRequest,
  CreateArtifactResponse,
  RunArtifacts,
} from '../../../src/queue/types.js';
import { orderedArtifacts } from '../../../src/worker/ordered-artifacts.js';

/** Artifact calls that are answered when the test says, recording when each one reached the queue. */
function heldQueue(): {
  queue: RunArtifacts;
  arrived: string[];
  answer: (index: number, fail?: boolean) => void;
} {
  const arrived: string[] = [];
  const pending: Array<{ resolve: (r: CreateArtifactResponse) => void; reject: (e: Error) => void }> = [];
  const queue: RunArtifacts = {
    createArtifact: (name: string, request: CreateArtifactRequest) => {
      arrived.push(`${name} ${request.storageType}`);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    finishArtifact: (name) => {
      arrived.push(`${name} finish`);
      return Promise.resolve();
    },
  };
  const answer = (index: number, fail = false): void => {
    const call = pending[index]!;
    if (fail) call.reject(new Error('refused'));
    else call.resolve({ storageType: 'reference' });
  };
  return { queue, arrived, answer };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const expires = new Date(Date.now() + 3_600_000).toISOString();

describe('ordered artifact calls', () => {
  it('sends a call for a name only once the previous call for it was answered; other names overlap', async () => {
    const { queue, arrived, answer } = heldQueue();
    const ordered = orderedArtifacts(queue);
    const reference = ordered.createArtifact('public/logs/live.log', {
      storageType: 'reference',
      url: 'http://example/',
      contentType: 'text/plain',
      expires,
    });
    const other = ordered.createArtifact('public/logs/live_backing.log', {
      storageType: 's3',
      contentType: 'text/plain',
      expires,
    });
    const link = ordered.createArtifact('public/logs/live.log', {
      storageType: 'link',
      artifact: 'public/logs/live_backing.log',
      contentType: 'text/plain',
      expires,
    });
    await tick();
    assert.deepEqual(arrived, ['public/logs/live.log reference', 'public/logs/live_backing.log s3']);
    answer(0);
    await reference;
    await tick();
    assert.deepEqual(arrived.at(-1), 'public/logs/live.log link');
    answer(1);
    answer(2);
    await Promise.all([other, link]);
  });

  it('still sends the next call after a failed one, and each caller gets its own answer', async () => {
    const { queue, arrived, answer } = heldQueue();
    const ordered = orderedArtifacts(queue);
    const request = {
      storageType: 'reference',
      url: 'http://e/',
      contentType: 'text/plain',
      expires,
    } as const;
    const first = ordered.createArtifact('a', request);
    const second = ordered.createArtifact('a', request);
    await tick();
    answer(0, true);
    await assert.rejects(first, /refused/);
    await tick();
    assert.equal(arrived.length, 2);
    answer(1);
    await second;
  });
});
