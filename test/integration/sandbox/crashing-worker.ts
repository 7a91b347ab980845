// A worker that starts one sandboxed task and then waits to be killed (SIGKILL: a crash), for the test of
// what the next worker cleans up. Usage: crashing-worker.ts WORKDIR; prints `task dir <path>` and
// `running <task user>`.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSandboxEngine } from '../../../src/engines/sandbox/sandbox-engine.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { MemoryTaskLog } from '../../helpers/memory-task-log.js';
import { makeTask, newTaskId } from '../../helpers/task-fixtures.js';
import { taskUserOf, testEngineOptions } from './sandbox-host.js';

const workDir = process.argv[2] ?? '/tmp';
const engine = await createSandboxEngine(testEngineOptions, silentLog());
const taskId = newTaskId();
const taskDir = join(workDir, `crash-${taskId}`);
await mkdir(taskDir);
const payload = { command: [['sh', '-c', 'echo up; exec sleep 300']], maxRunTime: 600 };
const log = new MemoryTaskLog();
const builder = await engine.prepare({
  taskId,
  runId: 0,
  task: makeTask(payload),
  payload,
  taskDir,
  keepTaskDir: false,
  log,
  workerLog: silentLog(),
  signal: new AbortController().signal,
});
await builder.start();
await log.waitFor(/^up$/m);
process.stdout.write(`task dir ${taskDir}\nrunning ${taskUserOf(taskDir)}\n`);
// Never resolves: the test kills this process.
await new Promise(() => undefined);
