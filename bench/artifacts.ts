// Artifact upload benchmark: the upload code against baselines measured in the same run, on the same
// machine, to the same local HTTP server (which discards what it receives). `benchArtifacts()` returns
// printable lines; run alone with `npx tsx bench/artifacts.ts`.
//   - identity upload of a large file through uploadArtifact (SHA-256 computed on the way) against a raw
//     PUT of the same file (ratio; target >= 0.8), and against a raw PUT that hashes on the event loop;
//   - gzip upload of log-like text (MB/s of original bytes) against plain zlib of the same file;
//   - 1000 small files through the artifacts plugin and the process engine (files/s);
//   - peak RSS of a fresh process uploading 1 GiB (target under 150 MiB).
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import { uploadArtifact } from '../src/artifact-upload/upload-artifact.js';
import { createProcessEngine } from '../src/engines/process/process-engine.js';
import { TaskFiles } from '../src/engines/process/task-files.js';
import { createArtifactsPlugin } from '../src/plugins/artifacts/artifacts-plugin.js';
import type { Plugin } from '../src/plugins/types.js';
import type { CreateArtifactRequest, CreateArtifactResponse, RunArtifacts } from '../src/queue/types.js';
import { FakeRunArtifacts } from '../test/helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../test/helpers/plugin-harness.js';

const MiB = 1024 * 1024;
const largeSize = Number(process.env.BENCH_ARTIFACT_MIB ?? 512) * MiB;
const logSize = 128 * MiB;
const smallFiles = 1000;
const rssSize = 1024 * MiB;
const rounds = 3;

/** A sink that reads and discards every PUT body, answering 200 once it is complete. */
async function startSink(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload` };
}

/** createArtifact answers a putUrl at the sink, like the queue does for `s3`. */
function sinkArtifacts(url: string): RunArtifacts {
  return {
    createArtifact: (_name: string, req: CreateArtifactRequest): Promise<CreateArtifactResponse> =>
      Promise.resolve({
        storageType: 's3',
        contentType: req.storageType === 's3' ? req.contentType : 'application/octet-stream',
        expires: new Date(Date.now() + 3600_000).toISOString(),
        putUrl: url,
      }),
    finishArtifact: () => Promise.resolve(),
  };
}

/** The plainest PUT of a file with a known length: a read stream piped into the request. */
async function rawPut(url: string, path: string, size: number, hash: boolean): Promise<void> {
  const req = request(url, { method: 'PUT', headers: { 'content-length': String(size) } });
  const answered = new Promise<void>((resolve, reject) => {
    req.once('response', (res) => res.once('error', reject).resume().once('end', resolve));
    req.once('error', reject);
  });
  // Awaited after the body is sent; a failure of the send comes first and must not leave it unhandled.
  answered.catch(() => undefined);
  const source = createReadStream(path, { highWaterMark: MiB });
  if (hash) {
    const digest = createHash('sha256');
    source.on('data', (chunk) => digest.update(chunk));
  }
  await pipeline(source, req);
  await answered;
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** Best of `rounds` alternating runs of each variant (the machine is shared: the best is the least disturbed). */
async function best(variants: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  for (let round = 0; round < rounds; round++)
    for (const [name, work] of Object.entries(variants))
      times[name] = Math.min(times[name] ?? Infinity, await seconds(work));
  return times;
}

async function writeRandomFile(path: string, size: number): Promise<void> {
  const out = await open(path, 'w');
  try {
    for (let written = 0; written < size; written += MiB)
      await out.write(randomFillSync(Buffer.allocUnsafe(MiB)));
  } finally {
    await out.close();
  }
}

async function writeLogFile(path: string, size: number): Promise<void> {
  const words = [
    'compiling',
    'linking',
    'test',
    'passed',
    'warning',
    'src/lib/module.rs',
    'ok',
    'ms',
    'error[E0308]',
  ];
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const time = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 7)).toISOString();
    const line = `[task ${time}] ${words[i % 9]} ${words[(i * 7) % 9]} #${i} took ${(i * 37) % 1000} ${words[7]}\n`;
    lines.push(line);
    length += line.length;
  }
  await writeFile(path, lines.join('').slice(0, size));
}

const mbps = (bytes: number, secs: number): string => `${(bytes / 1e6 / secs).toFixed(0)} MB/s`;

export async function benchArtifacts(): Promise<string[]> {
  const lines: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'tc-worker-bench-artifacts-'));
  const scratch = join(dir, 'scratch');
  await mkdir(scratch);
  const sink = await startSink();
  const signal = new AbortController().signal;
  const expires = new Date(Date.now() + 3600_000).toISOString();
  try {
    // 1. identity: the upload code against a raw PUT of the same file.
    const large = join(dir, 'large.bin');
    await writeRandomFile(large, largeSize);
    const artifacts = sinkArtifacts(sink.url);
    // Files are read as the worker reads them: through the process engine's checked descriptors.
    const files = new TaskFiles(dir);
    const upload = async (path: string, contentEncoding: 'identity' | 'gzip') => {
      const source = await files.readFile(path);
      try {
        return await uploadArtifact({
          artifacts,
          name: 'bench',
          source,
          contentType: 'application/octet-stream',
          contentEncoding,
          expires,
          signal,
          tempDir: scratch,
        });
      } finally {
        await source.close?.();
      }
    };
    const identity = await best({
      raw: () => rawPut(sink.url, large, largeSize, false),
      upload: () => upload('large.bin', 'identity'),
      rawHashing: () => rawPut(sink.url, large, largeSize, true),
    });
    lines.push(
      `identity upload of ${largeSize / MiB} MiB: uploadArtifact ${mbps(largeSize, identity.upload!)} ` +
        `(SHA-256 on the way), raw PUT ${mbps(largeSize, identity.raw!)}: ratio ` +
        `${(identity.raw! / identity.upload!).toFixed(2)} (target >= 0.8); raw PUT hashing on the event loop ` +
        `${mbps(largeSize, identity.rawHashing!)}`,
    );

    // 2. gzip of log-like text, through a temporary file, against zlib alone on the same file.
    const log = join(dir, 'build.log');
    await writeLogFile(log, logSize);
    let sent = 0;
    const gzip = await best({
      zlib: () =>
        pipeline(
          createReadStream(log, { highWaterMark: MiB }),
          createGzip({ level: 1 }),
          new Writable({ write: (_c, _e, cb) => cb() }),
        ),
      upload: async () => (sent = (await upload('build.log', 'gzip')).sentBytes),
    });
    lines.push(
      `gzip upload of ${logSize / MiB} MiB of log text (level 1): ${mbps(logSize, gzip.upload!)} of original bytes, ` +
        `compressed to ${((sent / logSize) * 100).toFixed(1)} %; zlib alone ${mbps(logSize, gzip.zlib!)}: ratio ` +
        `${(gzip.zlib! / gzip.upload!).toFixed(2)}`,
    );

    // 3. 1000 small files: listing, checks, gzip and a PUT each, through the plugin and the process engine.
    lines.push(await benchSmallFiles());

    // 4. peak RSS of a fresh process uploading 1 GiB.
    lines.push(await benchRss(sink.url, dir));
  } finally {
    sink.server.closeAllConnections();
    sink.server.close();
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}

async function benchSmallFiles(): Promise<string> {
  let stoppedSeconds = 0;
  const artifacts = createArtifactsPlugin();
  // Times the artifacts plugin's stopped hook (the uploads), not the task that writes the files.
  const timed = {
    name: 'artifacts',
    create: async (options: Parameters<typeof artifacts.create>[0]): Promise<Plugin> => {
      const plugin = await artifacts.create(options);
      return {
        ...plugin,
        forTask: async (ctx) => {
          const hooks = await plugin.forTask(ctx);
          if (!hooks?.stopped) return hooks;
          return {
            ...hooks,
            stopped: async (result, options) => {
              const started = performance.now();
              await hooks.stopped?.(result, options);
              stoppedSeconds = (performance.now() - started) / 1000;
            },
          };
        },
      };
    },
  };
  const store = await FakeRunArtifacts.start();
  store.sink.keepBodies = false;
  try {
    const runOnce = async (count: number): Promise<void> => {
      const script = `mkdir -p many && for i in $(seq 1 ${count}); do echo "small file $i" > many/f$i.txt; done`;
      const { resolution } = await runWithPlugins({
        plugins: [timed],
        payload: {
          command: [['sh', '-c', script]],
          artifacts: [{ type: 'directory', path: 'many', name: 'public/many' }],
        },
        engine: createProcessEngine(),
        artifacts: store,
      });
      if (resolution.kind !== 'completed') throw new Error(`small files run: ${JSON.stringify(resolution)}`);
    };
    await runOnce(100); // warm-up: module loading and JIT are not what a worker pays per task
    await runOnce(smallFiles);
    return (
      `${smallFiles} small files (one directory artifact, process engine, gzip, 10 at a time, in-memory queue): ` +
      `${(smallFiles / stoppedSeconds).toFixed(0)} files/s (${stoppedSeconds.toFixed(2)} s)`
    );
  } finally {
    await store.close();
  }
}

/**
 * A fresh process (the compiled worker code when `dist/` is up to date, else through tsx) uploads a 1 GiB
 * sparse file, identity, to the sink in this process, sampling its own RSS.
 */
async function benchRss(url: string, dir: string): Promise<string> {
  const file = join(dir, 'rss.bin');
  await writeFile(file, '');
  await truncate(file, rssSize);
  const moduleUrl = (name: string): string => {
    const src = fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url));
    const dist = fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
    return pathToFileURL(useDist ? dist : src).href;
  };
  // dist/ counts only when it is at least as new as every source the upload uses (`npm run bench` builds).
  const fresh = (folder: string): boolean =>
    readdirSync(fileURLToPath(new URL(`../src/${folder}/`, import.meta.url))).every((file) => {
      if (!file.endsWith('.ts')) return true;
      const dist = fileURLToPath(
        new URL(`../dist/${folder}/${file.replace(/\.ts$/, '.js')}`, import.meta.url),
      );
      const src = fileURLToPath(new URL(`../src/${folder}/${file}`, import.meta.url));
      return existsSync(dist) && statSync(dist).mtimeMs >= statSync(src).mtimeMs;
    });
  const modules = ['artifact-upload/upload-artifact', 'engines/process/task-files'];
  const useDist = fresh('artifact-upload') && fresh('engines/process');
  const code = `
    const { uploadArtifact } = await import(${JSON.stringify(moduleUrl(modules[0]!))});
    const { TaskFiles } = await import(${JSON.stringify(moduleUrl(modules[1]!))});
    const source = await new TaskFiles(${JSON.stringify(dir)}).readFile('rss.bin');
    const before = process.memoryUsage.rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const artifacts = {
      createArtifact: async (_n, r) => ({ storageType: 's3', contentType: r.contentType, expires: new Date(Date.now() + 3600e3).toISOString(), putUrl: ${JSON.stringify(url)} }),
      finishArtifact: async () => undefined,
    };
    const started = performance.now();
    await uploadArtifact({ artifacts, name: 'rss', source,
      contentType: 'application/octet-stream', contentEncoding: 'identity', expires: new Date(Date.now() + 3600e3).toISOString(),
      signal: new AbortController().signal, tempDir: ${JSON.stringify(dir)} });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    console.log(JSON.stringify({ before, peak, seconds: (performance.now() - started) / 1000 }));
  `;
  const args = [...(useDist ? [] : ['--import', 'tsx']), '--input-type=module', '-e', code];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`RSS child exited with ${code}`)),
    );
  });
  const { before, peak, seconds } = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
    before: number;
    peak: number;
    seconds: number;
  };
  return (
    `peak RSS uploading 1 GiB (${useDist ? 'compiled dist/' : 'through tsx'}): ${(peak / MiB).toFixed(0)} MiB ` +
    `(${(before / MiB).toFixed(0)} MiB before the upload, +${((peak - before) / MiB).toFixed(0)} MiB; ` +
    `target under 150 MiB), ${mbps(rssSize, seconds)}`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchArtifacts()) console.log(line);
}
