// Where a task's image comes from, read from the payload's `image` (docker-worker's four spellings).
import type { DockerImage } from '../../generated/payload/docker-engine.js';

export type ImageSource =
  | { readonly kind: 'registry'; readonly name: string }
  | { readonly kind: 'task-image'; readonly taskId: string; readonly path: string }
  | { readonly kind: 'indexed-image'; readonly namespace: string; readonly path: string };

export function imageSourceOf(image: DockerImage): ImageSource {
  if (typeof image === 'string') return { kind: 'registry', name: withTag(image) };
  switch (image.type) {
    case 'docker-image':
      return { kind: 'registry', name: withTag(image.name) };
    case 'task-image':
      return { kind: 'task-image', taskId: image.taskId, path: image.path };
    case 'indexed-image':
      return { kind: 'indexed-image', namespace: image.namespace, path: image.path };
  }
}

/** `ubuntu` is `ubuntu:latest` (as `docker pull` reads it); a tag or digest is kept. */
export function withTag(name: string): string {
  if (name.includes('@')) return name;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? name : `${name}:latest`;
}

/** How the task log names the image. */
export function describeImageSource(source: ImageSource): string {
  switch (source.kind) {
    case 'registry':
      return source.name;
    case 'task-image':
      return `task-image ${source.path} of task ${source.taskId}`;
    case 'indexed-image':
      return `indexed-image ${source.path} of index namespace ${source.namespace}`;
  }
}
