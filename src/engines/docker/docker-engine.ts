// The docker engine: docker-worker format tasks, each in a fresh container of the image its payload names,
// through the Docker Engine API (dockerode) on the daemon's socket. See docs/engines.md.
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { MalformedPayloadError } from '../../errors.js';
import type { DockerEnginePayload } from '../../generated/payload/docker-engine.js';
import type { OnExitStatusPayload } from '../../generated/payload/on-exit-status.js';
import { formatArgv } from '../../log/task-log-format.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { Engine, EngineTaskContext, SandboxBuilder } from '../types.js';
import { cacheVolumes, purgeCaches } from './caches.js';
import { ContainerFiles } from './container-files.js';
import { ContainerRun } from './container-run.js';
import { OutputFrames } from './output-frames.js';
import { containerSpec } from './container-spec.js';
import { daemonCall, DockerUnavailableError } from './daemon-call.js';
import { DaemonHealth } from './daemon-health.js';
import { NetworkGateway } from './network-gateway.js';
import { defaultDockerSettings, type DockerSettings } from './docker-settings.js';
import { ImageCollector } from './image-gc.js';
import { describeImageSource, imageSourceOf } from './image-source.js';
import { resolveImage } from './image-store.js';
import { Leftovers, ownerOf } from './leftovers.js';
import { checkDockerPayload } from './payload-check.js';
import { boundingSetOf, missingCapabilities, privilegedHostConfig } from './privileged-mode.js';

export interface DockerEngineOptions extends Partial<DockerSettings> {
  /** Pause before pull retry n; tests make it short. */
  readonly pullBackoffMs?: (attempt: number) => number;
}

interface DockerHost {
  readonly docker: Docker;
  readonly settings: DockerSettings;
  readonly owner: string;
  readonly leftovers: Leftovers;
  readonly images: ImageCollector;
  readonly privileged: Docker.HostConfig;
  /** Copies of task files whose result set was not disposed yet (closed at the latest by the engine's dispose). */
  readonly openFiles: Set<ContainerFiles>;
  readonly health: DaemonHealth;
  readonly gateway: NetworkGateway;
  readonly log: Logger;
  readonly pullBackoffMs?: (attempt: number) => number;
}

export async function createDockerEngine(options: DockerEngineOptions, log: Logger): Promise<Engine> {
  const settings: DockerSettings = { ...defaultDockerSettings, rootUrl: '', ...options };
  const docker = new Docker({ socketPath: settings.socket });
  try {
    await daemonCall('ping', { timeoutMs: settings.callTimeoutMs }, () => docker.ping());
  } catch (error) {
    throw new DockerUnavailableError(
      `ping on ${settings.socket}`,
      `${error instanceof Error ? error.message : String(error)}; start the daemon (e.g. \`bash scripts/services/start-docker.sh\` as root) or set docker.socket`,
    );
  }
  const leftovers = new Leftovers(docker, log, settings.callTimeoutMs);
  const removed = await leftovers.sweep();
  const missing = missingCapabilities(boundingSetOf(readFileSync('/proc/self/status', 'utf8')));
  const host: DockerHost = {
    docker,
    settings,
    owner: ownerOf(),
    leftovers,
    images: new ImageCollector(docker, settings, log),
    privileged: privilegedHostConfig(missing),
    openFiles: new Set(),
    health: new DaemonHealth(docker, settings.callTimeoutMs),
    gateway: new NetworkGateway(docker, settings.network, settings.callTimeoutMs),
    log,
    ...(options.pullBackoffMs ? { pullBackoffMs: options.pullBackoffMs } : {}),
  };
  log.info(
    {
      socket: settings.socket,
      network: settings.network,
      leftoversRemoved: removed,
      capabilitiesMissing: missing,
    },
    'docker engine ready',
  );
  return {
    name: 'docker',
    payloadFormat: 'docker-worker',
    payloadSchema: loadSchema('payload/docker-engine'),
    prepare: async (ctx) => noticingLostDaemon(await prepare(ctx, host), host.health),
    available: (signal) => host.health.available(signal),
    async dispose(): Promise<void> {
      await Promise.all([...host.openFiles].map((files) => files.close()));
      await leftovers.sweep().catch((error: unknown) => log.warn({ err: error }, 'leftover sweep failed'));
    },
  };
}

function prepare(ctx: EngineTaskContext, host: DockerHost): Promise<SandboxBuilder> {
  const payload = ctx.payload as unknown as DockerEnginePayload;
  const { settings } = host;
  const check = checkDockerPayload(payload, ctx.task.scopes ?? [], settings.allowPrivileged);
  if (check.problems.length > 0) return Promise.reject(new MalformedPayloadError(check.problems));
  const env: Record<string, string> = {};
  return Promise.resolve({
    setEnv(name: string, value: string): void {
      env[name] = value;
    },
    canOpenShell: true,
    reachableHost: () => host.gateway.address(),
    async start() {
      const timeouts = { timeoutMs: settings.callTimeoutMs, signal: ctx.signal };
      // What earlier tasks could not remove (the daemon was away) goes first.
      if (host.leftovers.pending > 0) await host.leftovers.sweep().catch(() => undefined);
      const source = imageSourceOf(payload.image);
      ctx.log.info(`Image: ${describeImageSource(source)}`);
      const image = await resolveImage(host.docker, source, settings, ctx, host.pullBackoffMs);
      const releaseImage = host.images.use(image.id);
      let container: Docker.Container | undefined;
      try {
        const volumes = await cacheVolumes(host.docker, check.caches, timeouts);
        const command = payload.command ?? [];
        container = await daemonCall('create the container', timeouts, () =>
          host.docker.createContainer(
            containerSpec(
              {
                image: image.id,
                command,
                env,
                taskDir: ctx.taskDir,
                volumes,
                ...(check.privileged ? { privileged: host.privileged } : {}),
                owner: host.owner,
                task: `${ctx.taskId}/${ctx.runId}`,
              },
              settings,
            ),
          ),
        );
        const created = container;
        const output = await attachOutput(created, ctx, timeouts);
        ctx.log.info(
          `Executing command 0: ${command.length > 0 ? formatArgv(command) : "(the image's default command)"}` +
            ` in container ${created.id.slice(0, 12)} of ${image.name}`,
        );
        await daemonCall('start the container', timeouts, () => created.start());
        const purgeExitCodes = new Set((ctx.payload as OnExitStatusPayload).onExitStatus?.purgeCaches ?? []);
        return new ContainerRun(ctx, {
          container: created,
          output,
          env: { ...env },
          callTimeoutMs: settings.callTimeoutMs,
          memoryMB: settings.memoryMB,
          files: () => {
            const files = new ContainerFiles(created, ctx.taskDir, settings.callTimeoutMs, () =>
              host.openFiles.delete(files),
            );
            host.openFiles.add(files);
            return files;
          },
          caches: [...check.caches.keys()],
          purgeExitCodes,
          release: async (exitCode) => {
            await host.leftovers.remove(created.id);
            releaseImage();
            if (purgeExitCodes.has(exitCode))
              await purgeCaches(host.docker, check.caches.keys(), ctx.workerLog, settings.callTimeoutMs);
            void host.images.collect();
          },
        });
      } catch (error) {
        if (container) await host.leftovers.remove(container.id);
        releaseImage();
        throw error;
      }
    },
  });
}

/** A start that found the daemon away tells the health check, so that the worker stops claiming at once. */
function noticingLostDaemon(builder: SandboxBuilder, health: DaemonHealth): SandboxBuilder {
  const start = builder.start.bind(builder);
  builder.start = async () => {
    try {
      return await start();
    } catch (error) {
      if (error instanceof DockerUnavailableError) health.lost();
      throw error;
    }
  };
  return builder;
}

/** The container's stdout and stderr (demultiplexed, in the order written) into the task log. */
async function attachOutput(
  container: Docker.Container,
  ctx: EngineTaskContext,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<Readable> {
  const stream = (await daemonCall('attach to the container', options, () =>
    container.attach({ stream: true, stdout: true, stderr: true }),
  )) as unknown as Readable;
  const frames = new OutputFrames();
  frames.on('data', (chunk: Buffer) => ctx.log.write(chunk));
  stream.once('error', (error) => frames.destroy(error));
  stream.pipe(frames);
  return frames;
}
