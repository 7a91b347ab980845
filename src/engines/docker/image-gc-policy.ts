// Which images to remove when the daemon's disk runs short: the least recently used first, until the free
// space is back above the bound (the larger of an absolute and a relative one). Images a task uses, and
// images the worker's config keeps, are never chosen. Pure, so that the policy is tested on its own.
import type { ImageGcSettings } from './docker-settings.js';

export interface ImageRecord {
  readonly id: string;
  /** `repo:tag` names of the image (none for a dangling one). */
  readonly names: readonly string[];
  readonly sizeBytes: number;
  /** When a task of this worker last used it; else when it was created (milliseconds since the epoch). */
  readonly lastUsedMs: number;
  readonly inUse: boolean;
}

export interface DiskSpace {
  readonly freeBytes: number;
  readonly totalBytes: number;
}

/** The free space the collector keeps. */
export function freeSpaceBound(settings: ImageGcSettings, disk: DiskSpace): number {
  return Math.max(settings.minFreeBytes, (disk.totalBytes * settings.minFreePercent) / 100);
}

/** The images to remove, in order; empty when the disk has room enough. */
export function imagesToRemove(
  images: readonly ImageRecord[],
  disk: DiskSpace,
  settings: ImageGcSettings,
): ImageRecord[] {
  const bound = freeSpaceBound(settings, disk);
  let free = disk.freeBytes;
  if (free >= bound) return [];
  const keep = new Set(settings.keepImages);
  const candidates = images
    .filter((image) => !image.inUse && !image.names.some((name) => keep.has(name)))
    .sort((a, b) => a.lastUsedMs - b.lastUsedMs || b.sizeBytes - a.sizeBytes);
  const chosen: ImageRecord[] = [];
  for (const image of candidates) {
    if (free >= bound) break;
    chosen.push(image);
    // Layers shared with other images are not freed; the next round measures again.
    free += image.sizeBytes;
  }
  return chosen;
}
