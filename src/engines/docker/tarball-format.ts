// What an image tarball is compressed with, by its first bytes (a name may lie, `docker save | zstd` output
// is often called `image.tar`): zstd and lz4 need decompressing before `docker load`, which reads plain, gzip,
// bzip2 and xz tarballs itself.

export type TarballFormat = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'lz4' | 'unknown';

const magics: ReadonlyArray<readonly [TarballFormat, readonly number[]]> = [
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

/** The format of a tarball from at least its first 262 bytes (where a tar header's `ustar` magic ends). */
export function detectTarballFormat(head: Uint8Array): TarballFormat {
  for (const [format, magic] of magics) {
    if (magic.every((byte, index) => head[index] === byte)) return format;
  }
  const ustar = Buffer.from(head.subarray(257, 262)).toString('latin1');
  return ustar === 'ustar' ? 'tar' : 'unknown';
}

/** The program that decompresses a format to a plain tarball on stdout, for those `docker load` cannot read. */
export function decompressorFor(format: TarballFormat): readonly [string, ...string[]] | undefined {
  if (format === 'zstd') return ['zstd', '-dc'];
  if (format === 'lz4') return ['lz4', '-dc'];
  return undefined;
}
