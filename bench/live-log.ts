// Live log benchmark: a task-like writer prints log lines through FileTaskLog while readers follow the
// live-log endpoint over HTTP (the webhook server on 127.0.0.1), against a baseline in the same run (the
// same lines written to a plain file). `benchLiveLog()` returns printable lines; run alone with
// `npx tsx bench/live-log.ts`.
//   - throughput with 1 and 10 readers: lines/s and MB/s delivered, every reader checked byte for byte
//     (targets: >= 100k lines/s and >= 20 MB/s to 10 readers, no line lost);
//   - write-to-reader latency p50/p99 at a moderate rate (target p99 under 50 ms);
//   - worker memory while a stalled reader (paused socket) falls ever further behind (target: flat).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FileTaskLog } from '../src/log/task-log.js';
import { silentLog } from '../src/log/worker-log.js';
import { createLiveLogEndpoint } from '../src/plugins/live-log/live-log-handler.js';
import { HttpWebhookServer } from '../src/webhooks/http-webhook-server.js';

const MB = 1e6;
const throughputLines = 500_000;
const latencyRate = 2000; // lines per second
const latencySeconds = 3;
const stalledMiB = 256;
/** A task prints in bursts (pipe reads of its output); the writer yields to the event loop between them. */
const burstBytes = 64 * 1024;

const padding = ' the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz';
const lineOf = (i: number): string => `${i}${padding}\n`;

interface Reader {
  bytes: number;
  hash: ReturnType<typeof createHash>;
  done: Promise<void>;
  pause(): void;
}

function openReader(url: string, onData?: (chunk: Buffer) => void): Promise<Reader> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const reader: Reader = {
        bytes: 0,
        hash: createHash('sha256'),
        done: new Promise((ok, fail) => {
          response.on('end', ok);
          response.on('error', fail);
        }),
        pause: () => {
          response.pause();
          response.socket.pause();
        },
      };
      reader.done.catch(() => undefined);
      response.on('data', (chunk: Buffer) => {
        reader.bytes += chunk.length;
        reader.hash.update(chunk);
        onData?.(chunk);
      });
      resolve(reader);
    }).on('error', reject);
  });
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Writes `count` lines as fast as possible in task-like bursts through `write`. */
async function writeLines(count: number, write: (line: string) => void): Promise<number> {
  let bytes = 0;
  let burst = 0;
  for (let i = 0; i < count; i++) {
    const line = lineOf(i);
    write(line);
    bytes += line.length;
    burst += line.length;
    if (burst >= burstBytes) {
      burst = 0;
      await yieldToLoop();
    }
  }
  return bytes;
}

async function baseline(dir: string): Promise<number> {
  const stream = createWriteStream(join(dir, 'baseline.log'));
  const start = performance.now();
  await writeLines(throughputLines, (line) => stream.write(line));
  await new Promise<void>((resolve) => stream.end(resolve));
  return (performance.now() - start) / 1000;
}

async function throughput(server: HttpWebhookServer, dir: string, readers: number): Promise<string> {
  const log = new FileTaskLog(join(dir, `through-${readers}.log`));
  const endpoint = createLiveLogEndpoint(log, silentLog());
  const hook = server.attach(endpoint.handler);
  const open = await Promise.all(Array.from({ length: readers }, () => openReader(hook.url)));
  const start = performance.now();
  const bytes = await writeLines(throughputLines, (line) => log.write(line));
  await log.close();
  await Promise.all(open.map((reader) => reader.done));
  const seconds = (performance.now() - start) / 1000;
  hook.detach();
  const expected = createHash('sha256')
    .update(await readFile(log.path))
    .digest('hex');
  const intact = open.filter((r) => r.bytes === bytes && r.hash.digest('hex') === expected).length;
  return (
    `live log, ${readers} reader${readers === 1 ? '' : 's'}: ${fmt(throughputLines / seconds)} lines/s, ` +
    `${((bytes * readers) / MB / seconds).toFixed(1)} MB/s delivered (${(bytes / MB).toFixed(0)} MB each, ` +
    `${intact}/${readers} readers byte-identical)`
  );
}

async function latency(server: HttpWebhookServer, dir: string, readers: number): Promise<string> {
  const log = new FileTaskLog(join(dir, `latency-${readers}.log`));
  const endpoint = createLiveLogEndpoint(log, silentLog());
  const hook = server.attach(endpoint.handler);
  const samples: number[] = [];
  const open = await Promise.all(
    Array.from({ length: readers }, () => {
      let rest = '';
      return openReader(hook.url, (chunk) => {
        const now = performance.now();
        const text = rest + chunk.toString();
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const sent = Number(line.split(' ', 1)[0]);
          if (Number.isFinite(sent)) samples.push(now - sent);
        }
      });
    }),
  );
  const total = latencyRate * latencySeconds;
  const perTick = latencyRate / 100; // every 10 ms
  for (let i = 0; i < total; i += perTick) {
    const now = performance.now().toFixed(3);
    for (let j = 0; j < perTick; j++) log.write(`${now}${padding}\n`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await log.close();
  await Promise.all(open.map((reader) => reader.done));
  hook.detach();
  samples.sort((a, b) => a - b);
  const pct = (p: number): string => (samples[Math.floor((samples.length - 1) * p)] ?? NaN).toFixed(1);
  return (
    `live log latency (${latencyRate} lines/s, ${readers} reader${readers === 1 ? '' : 's'}): ` +
    `p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms over ${samples.length} lines (target p99 < 50 ms)`
  );
}

async function stalled(server: HttpWebhookServer, dir: string): Promise<string> {
  const log = new FileTaskLog(join(dir, 'stalled.log'));
  const endpoint = createLiveLogEndpoint(log, silentLog());
  const hook = server.attach(endpoint.handler);
  const stuck = await openReader(hook.url);
  stuck.pause();
  const live = await openReader(hook.url);
  const lines = Math.ceil((stalledMiB * 1024 * 1024) / lineOf(0).length);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const bytes = await writeLines(lines, (line) => log.write(line));
  await log.close();
  await live.done;
  clearInterval(sampler);
  endpoint.expire(0);
  hook.detach();
  return (
    `live log, stalled reader: RSS ${fmtMiB(before)} -> peak ${fmtMiB(peak)} MiB while writing ` +
    `${(bytes / 1024 / 1024).toFixed(0)} MiB (stalled reader got ${(stuck.bytes / 1024 / 1024).toFixed(1)} MiB, ` +
    `live reader ${live.bytes === bytes ? 'complete' : 'INCOMPLETE'}; target: flat)`
  );
}

export async function benchLiveLog(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tcw-bench-live-log-'));
  const server = await HttpWebhookServer.start({ host: '127.0.0.1', port: 0 });
  try {
    const lines: string[] = [];
    const plain = await baseline(dir);
    lines.push(
      `live log baseline (plain file, no readers): ${fmt(throughputLines / plain)} lines/s, ` +
        `${((throughputLines * lineOf(0).length) / MB / plain).toFixed(1)} MB/s`,
    );
    lines.push(await throughput(server, dir, 1));
    lines.push(await throughput(server, dir, 10));
    lines.push(await latency(server, dir, 1));
    lines.push(await latency(server, dir, 10));
    lines.push(await stalled(server, dir));
    return lines;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function fmtMiB(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchLiveLog()) console.log(line);
}
