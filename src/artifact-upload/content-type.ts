// Content type and default content encoding of an artifact, from its file name.
import { extname } from 'node:path';

const textPlain = 'text/plain; charset=utf-8';

const byExtension: Readonly<Record<string, string>> = {
  '.txt': textPlain,
  '.log': textPlain,
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.ndjson': 'application/x-ndjson',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
  '.yml': 'application/yaml',
  '.yaml': 'application/yaml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.bz2': 'application/x-bzip2',
  '.xz': 'application/x-xz',
  '.zst': 'application/zstd',
  '.7z': 'application/x-7z-compressed',
  '.br': 'application/x-brotli',
  '.jar': 'application/java-archive',
  '.deb': 'application/vnd.debian.binary-package',
  '.rpm': 'application/x-rpm',
  '.dmg': 'application/x-apple-diskimage',
  '.apk': 'application/vnd.android.package-archive',
  '.whl': 'application/zip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

/** Kinds that are compressed already: gzip would only cost CPU time. */
const compressed: ReadonlySet<string> = new Set([
  '.7z',
  '.aab',
  '.apk',
  '.avif',
  '.br',
  '.bz2',
  '.cab',
  '.crate',
  '.deb',
  '.dmg',
  '.gif',
  '.gz',
  '.heic',
  '.jar',
  '.jpeg',
  '.jpg',
  '.lz',
  '.lz4',
  '.lzma',
  '.mkv',
  '.mp3',
  '.mp4',
  '.nupkg',
  '.ogg',
  '.png',
  '.rpm',
  '.tbz',
  '.tbz2',
  '.tgz',
  '.txz',
  '.tzst',
  '.wasm',
  '.webm',
  '.webp',
  '.whl',
  '.woff',
  '.woff2',
  '.xpi',
  '.xz',
  '.zip',
  '.zst',
  '.zstd',
]);

/** The content type for a file name; application/octet-stream when the extension says nothing. */
export function contentTypeFor(name: string): string {
  return byExtension[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** gzip unless the file is of a kind that is compressed already. */
export function defaultContentEncoding(name: string): 'gzip' | 'identity' {
  return compressed.has(extname(name).toLowerCase()) ? 'identity' : 'gzip';
}
