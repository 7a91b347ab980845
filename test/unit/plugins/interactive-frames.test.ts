import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeResize,
  encodeStdin,
  parseClientFrame,
} from '../../../src/plugins/interactive/shell-frames.js';
import { shellPageUrl, socketUrlOf } from '../../../src/plugins/interactive/shell-urls.js';

describe('interactive shell frames and URLs', () => {
  it('parses stdin and little-endian resize frames', () => {
    assert.deepEqual(parseClientFrame(encodeStdin('ls\n')), { kind: 'stdin', data: Buffer.from('ls\n') });
    assert.deepEqual(parseClientFrame(Buffer.of(0x02, 0x21, 0x00, 0x6f, 0x01)), {
      kind: 'resize',
      size: { rows: 33, cols: 367 },
    });
    assert.deepEqual(parseClientFrame(encodeResize({ rows: 50, cols: 200 })), {
      kind: 'resize',
      size: { rows: 50, cols: 200 },
    });
  });

  it('ignores empty, unknown, short and zero-sized frames', () => {
    for (const frame of [
      Buffer.alloc(0),
      Buffer.of(0x03, 1),
      Buffer.of(0x02, 1, 0, 1),
      encodeResize({ rows: 0, cols: 80 }),
    ])
      assert.deepEqual(parseClientFrame(frame), { kind: 'ignored' });
  });

  it('turns the hook URL into ws:// or wss:// and builds the UI page URL', () => {
    assert.equal(
      socketUrlOf('https://w.example.com/h/abc', '/shell/s1'),
      'wss://w.example.com/h/abc/shell/s1',
    );
    assert.equal(socketUrlOf('http://127.0.0.1:9/abc/', '/shell/s1'), 'ws://127.0.0.1:9/abc/shell/s1');
    const page = new URL(shellPageUrl('https://tc.example.com/', 'wss://w/x/shell/s', 'TASKID', 2));
    assert.equal(page.origin + page.pathname, 'https://tc.example.com/shell/');
    assert.equal(page.searchParams.get('v'), '2');
    assert.equal(page.searchParams.get('socketUrl'), 'wss://w/x/shell/s');
    assert.equal(page.searchParams.get('taskId'), 'TASKID');
    assert.equal(page.searchParams.get('runId'), '2');
    assert.match(page.search, /socketUrl=wss%3A%2F%2Fw%2Fx%2Fshell%2Fs/);
  });
});
