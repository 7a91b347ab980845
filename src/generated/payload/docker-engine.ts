/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The image of the task's container: a registry name (`alpine:3.20`, `registry.example/x/y@sha256:...`), the same as `{type: docker-image, name}`, an image tarball another task published as an artifact (`task-image`; plain tar, `.tar.zst` or `.tar.lz4`, as `docker save` writes it), or such an artifact found through the index service (`indexed-image`).
 */
export type DockerImage =
  | string
  | {
      type: 'docker-image';
      name: string;
    }
  | {
      type: 'task-image';
      taskId: string;
      path: string;
    }
  | {
      type: 'indexed-image';
      namespace: string;
      path: string;
    };

/**
 * The docker engine's part of a docker-worker format payload: the image, the command, caches and capabilities. `env`, `maxRunTime`, `artifacts`, `features` and `onExitStatus` come from the plugins.
 */
export interface DockerEnginePayload {
  image: DockerImage;
  /**
   * The argv of the container's process (no shell unless the command is one). Empty or absent: the image's default command.
   */
  command?: string[];
  /**
   * Caches (docker volumes kept between tasks on this worker) and where they are mounted in the container, `{"cache-name": "/mount/point"}`. Each needs the scope `docker-worker:cache:<cache-name>`; they are deleted after a task whose exit code is in `onExitStatus.purgeCaches`.
   */
  cache?: {
    [k: string]: string | undefined;
  };
  /**
   * What the task's container needs beyond the defaults.
   */
  capabilities?: {
    /**
     * A privileged container (like `docker run --privileged`): only on workers that allow it (`docker.allowPrivileged`) and with the scope `docker-worker:capability:privileged`.
     */
    privileged?: boolean;
    /**
     * Accepted for compatibility; only `false` (seccomp stays on unless the task is privileged).
     */
    disableSeccomp?: boolean;
    /**
     * Host devices (docker-worker's loopback video and audio, shared memory, KVM). None is offered by this worker: asking for one is malformed-payload.
     */
    devices?: {
      loopbackVideo?: boolean;
      loopbackAudio?: boolean;
      hostSharedMemory?: boolean;
      kvm?: boolean;
    };
  };
}
