// Runs the embedded queue in its own process for the durability tests:
//   node --import tsx test/helpers/local-queue-process.ts '<json options>'
// Prints `READY <rootUrl>` once listening; the tests SIGKILL it to simulate a crash.
import { pino } from 'pino';
import { startLocalQueue } from '../../src/local-queue/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  claimTimeoutSeconds?: number;
  claimWorkPollSeconds?: number;
};
const queue = await startLocalQueue({
  host: '127.0.0.1',
  port: 0,
  logger: pino({ level: process.env.LOCAL_QUEUE_TEST_LOG ?? 'silent' }),
  ...options,
});
process.stdout.write(`READY ${queue.rootUrl}\n`);
process.once('SIGTERM', () => {
  void queue.close().then(() => process.exit(0));
});
