import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkerStateMachine } from '../../../src/worker/worker-state.js';
import { capturingLog } from './fakes.js';

describe('worker state machine', () => {
  it('moves through the shutdown states and logs every change', () => {
    const { log, lines } = capturingLog();
    const changes: string[] = [];
    const machine = new WorkerStateMachine(log, (from, to) => changes.push(`${from}->${to}`));
    assert.equal(machine.state, 'starting');
    machine.moveTo('running');
    machine.moveTo('draining', { gracePeriodSeconds: 5 });
    machine.moveTo('aborting');
    machine.moveTo('stopped');
    assert.deepEqual(changes, [
      'starting->running',
      'running->draining',
      'draining->aborting',
      'aborting->stopped',
    ]);
    const logged = lines.filter((line) => line.msg === 'worker state changed');
    assert.deepEqual(
      logged.map((line) => [line.from, line.to]),
      [
        ['starting', 'running'],
        ['running', 'draining'],
        ['draining', 'aborting'],
        ['aborting', 'stopped'],
      ],
    );
    assert.equal(logged[1]!.gracePeriodSeconds, 5);
  });

  it('refuses changes the design does not allow', () => {
    const { log } = capturingLog();
    const machine = new WorkerStateMachine(log);
    machine.moveTo('running');
    machine.moveTo('stopped');
    assert.throws(() => machine.moveTo('running'), /cannot change from stopped to running/);
    const other = new WorkerStateMachine(log);
    other.moveTo('running');
    other.moveTo('aborting');
    assert.equal(other.canMoveTo('draining'), false);
    assert.throws(() => other.moveTo('draining'));
  });
});
