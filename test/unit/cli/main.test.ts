import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exitCodes } from '../../../src/cli/exit-codes.js';
import { main } from '../../../src/cli/main.js';
import { fakeIo } from './fake-io.js';

const dir = mkdtempSync(join(tmpdir(), 'tcw-cli-'));

describe('tc-worker command line', () => {
  it('every command has --help, and help exits 0', async () => {
    for (const argv of [
      ['--help'],
      ['work', '--help'],
      ['queue', '--help'],
      ['submit', '--help'],
      ['demo', '--help'],
      ['schema', '--help'],
      ['schema', 'config', '--help'],
      ['schema', 'payload', '--help'],
    ]) {
      const io = fakeIo();
      assert.equal(await main(argv, io), exitCodes.ok, argv.join(' '));
      assert.match(io.out, /^Usage: tc-worker/, argv.join(' '));
    }
  });

  it('the top-level help lists the commands and the exit codes', async () => {
    const io = fakeIo();
    await main(['--help'], io);
    for (const name of ['work', 'queue', 'submit', 'demo', 'schema'])
      assert.match(io.out, new RegExp(`\\n  ${name} `));
    assert.match(io.out, /75 +forced shutdown/);
    assert.match(io.out, /78 +invalid config/);
  });

  it('a bad command line exits 64 and says what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['bogus'], /unknown command 'bogus'/],
      [['work'], /required option '-c, --config <file>' not specified/],
      [['work', '--config', 'x.yml', '--nope'], /unknown option '--nope'/],
      [['queue', '--data-dir', dir, '--port', 'eighty'], /must be an integer/],
      [['submit'], /missing required argument 'file'/],
      [[], /Usage: tc-worker/],
    ];
    for (const [argv, message] of cases) {
      const io = fakeIo();
      assert.equal(await main(argv, io), exitCodes.usage, argv.join(' '));
      assert.match(io.err + io.out, message, argv.join(' '));
    }
  });

  it('work with an invalid config exits 78 and lists every problem with the file name', async () => {
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'capacity: 0\nworkerId: w1\nbogus: true\n');
    const io = fakeIo();
    assert.equal(await main(['work', '--config', path], io), exitCodes.config);
    assert.match(io.err, new RegExp(`invalid config ${path.replace(/[/.]/g, '\\$&')}:`));
    assert.match(io.err, /config\.capacity must be >= 1/);
    assert.match(io.err, /not allowed: "bogus"/);
    assert.match(io.err, /missing the required property "rootUrl"/);
    assert.equal(io.out, '', 'nothing claimed, nothing logged');
  });

  it('work with a missing config file exits 78', async () => {
    const io = fakeIo();
    assert.equal(await main(['work', '--config', join(dir, 'missing.yml')], io), exitCodes.config);
    assert.match(io.err, /cannot read the file/);
  });

  it('work takes rootUrl and credentials from TASKCLUSTER_* when the file has none', async () => {
    const path = join(dir, 'env.json');
    writeFileSync(path, JSON.stringify({ taskQueueId: 'p/w', workerGroup: 'g', workerId: 'w', capacity: 0 }));
    const io = fakeIo({
      TASKCLUSTER_ROOT_URL: 'https://tc.example.com',
      TASKCLUSTER_CLIENT_ID: 'c',
      TASKCLUSTER_ACCESS_TOKEN: 't',
    });
    assert.equal(await main(['work', '--config', path], io), exitCodes.config);
    assert.doesNotMatch(io.err, /rootUrl|credentials/);
    assert.match(io.err, /workDir/);
  });

  it('schema config prints the composed config schema', async () => {
    const io = fakeIo();
    assert.equal(await main(['schema', 'config'], io), exitCodes.ok);
    const schema = JSON.parse(io.out);
    assert.equal(schema.title, 'Config');
    assert.equal(schema.additionalProperties, false);
    for (const key of ['rootUrl', 'credentials', 'capacity', 'workDir', 'shutdownGracePeriod'])
      assert.ok(key in schema.properties, key);
    assert.equal(await main(['schema', 'config', '--engine', 'nope'], fakeIo()), exitCodes.usage);
  });

  it('schema payload prints the composed payload schema', async () => {
    const io = fakeIo();
    assert.equal(await main(['schema', 'payload'], io), exitCodes.ok);
    const schema = JSON.parse(io.out);
    assert.equal(schema.title, 'Payload');
    assert.ok('command' in schema.properties && 'maxRunTime' in schema.properties);
  });

  it('submit without a root URL exits 64; an unreadable task file 65', async () => {
    const noRoot = fakeIo();
    assert.equal(await main(['submit', join(dir, 'task.yml')], noRoot), exitCodes.usage);
    assert.match(noRoot.err, /TASKCLUSTER_ROOT_URL/);
    const missing = fakeIo({ TASKCLUSTER_ROOT_URL: 'http://127.0.0.1:1' });
    assert.equal(await main(['submit', join(dir, 'missing.yml')], missing), exitCodes.dataError);
    const notTask = join(dir, 'list.yml');
    writeFileSync(notTask, '- 1\n');
    assert.equal(
      await main(['submit', notTask, '--root-url', 'http://127.0.0.1:1'], fakeIo()),
      exitCodes.dataError,
    );
  });
});

describe('tc-worker queue add-client', () => {
  it('adds a client with the scopes asked for and prints its credentials once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tcw-add-client-'));
    const io = fakeIo();
    const argv = ['queue', '-d', dataDir, 'add-client', '--client-id', 'pool/ci', '--worker-pool', 'p/ci'];
    assert.equal(await main([...argv, '--scope', 'extra:scope'], io), exitCodes.ok, io.err);
    assert.match(io.out, /queue:claim-work:p\/ci\n {2}queue:worker-id:\*\n {2}extra:scope\n/);
    assert.match(io.out, /export TASKCLUSTER_CLIENT_ID=pool\/ci\n/);
    assert.match(io.out, /export TASKCLUSTER_ACCESS_TOKEN=[\w-]{43}\n/);
    const again = fakeIo();
    assert.equal(await main(argv, again), exitCodes.usage);
    assert.match(again.err, /exists already/);
    assert.equal(await main([...argv, '--replace'], fakeIo()), exitCodes.ok);
  });

  it('refuses a client without scopes, a bad clientId or a bad scope', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tcw-add-client-'));
    for (const [extra, message] of [
      [[], /give the client scopes/],
      [['--scope', 'bad\nscope'], /invalid scopes/],
    ] as const) {
      const io = fakeIo();
      const argv = ['queue', '-d', dataDir, 'add-client', '--client-id', 'c', ...extra];
      assert.equal(await main(argv, io), exitCodes.usage);
      assert.match(io.err, message);
    }
    const io = fakeIo();
    assert.equal(
      await main(['queue', '-d', dataDir, 'add-client', '--client-id', 'a b', '--user'], io),
      exitCodes.usage,
    );
    assert.match(io.err, /invalid clientId/);
  });
});
