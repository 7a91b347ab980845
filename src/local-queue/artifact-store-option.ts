// Which BlobStore holds artifact and object bytes, as chosen on the command line: `file` (the default:
// files under the data directory) or `s3://BUCKET` with the connection from flags, else from the usual AWS
// environment variables. Pure: the CLI passes its parsed flags and the environment in.

export type ArtifactStoreOption =
  | { type: 'file' }
  | {
      type: 's3';
      bucket: string;
      /** e.g. `http://127.0.0.1:7480` for radosgw or MinIO; AWS's endpoint for the region when absent. */
      endpoint?: string;
      /** Default `us-east-1`. */
      region?: string;
      accessKeyId?: string;
      secretAccessKey?: string;
      sessionToken?: string;
      /** Path-style URLs (`<endpoint>/<bucket>/<key>`); default true, which every S3-compatible store takes. */
      forcePathStyle?: boolean;
    };

/** The flags as commander names them: `--s3-endpoint` is `s3Endpoint`, and so on. */
export interface ArtifactStoreFlags {
  s3Endpoint?: string | undefined;
  s3Region?: string | undefined;
  s3AccessKeyId?: string | undefined;
  s3SecretAccessKey?: string | undefined;
  /** `--no-s3-force-path-style` sets false: virtual-hosted URLs (`<bucket>.<host>`). */
  s3ForcePathStyle?: boolean | undefined;
}

export class ArtifactStoreOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactStoreOptionError';
  }
}

// S3's bucket naming rules (the subset every S3-compatible store accepts).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const nonEmpty = (...values: Array<string | undefined>): string | undefined =>
  values.find((value) => value !== undefined && value.trim() !== '')?.trim();

/**
 * Reads `--artifact-store` (`file`, or `s3://BUCKET`) with the S3 flags. Each S3 setting comes from its
 * flag, else from the environment: `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_REGION` /
 * `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. Throws an
 * ArtifactStoreOptionError whose message says what to fix.
 */
export function parseArtifactStoreOption(
  url: string | undefined,
  flags: ArtifactStoreFlags,
  env: Record<string, string | undefined>,
): ArtifactStoreOption {
  const value = (url ?? '').trim();
  if (value === '' || value === 'file' || value === 'file:' || value === 'file://') return { type: 'file' };
  const match = /^s3:\/\/([^/?#]*)\/?$/.exec(value);
  if (!match) {
    throw new ArtifactStoreOptionError(
      `--artifact-store must be \`file\` or \`s3://BUCKET\`, not \`${value}\``,
    );
  }
  const bucket = match[1] ?? '';
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new ArtifactStoreOptionError(
      `--artifact-store s3://${bucket}: not a valid bucket name (3 to 63 lowercase letters, digits, dots ` +
        'and hyphens, starting and ending with a letter or digit)',
    );
  }

  const endpoint = nonEmpty(flags.s3Endpoint, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ArtifactStoreOptionError(`--s3-endpoint must be an http(s) URL, not \`${endpoint}\``);
  }
  const region = nonEmpty(flags.s3Region, env.AWS_REGION, env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  const accessKeyId = nonEmpty(flags.s3AccessKeyId, env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(flags.s3SecretAccessKey, env.AWS_SECRET_ACCESS_KEY);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ArtifactStoreOptionError(
      'S3 keys come in pairs: give both --s3-access-key-id and --s3-secret-access-key (or ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or neither',
    );
  }
  // A session token only belongs with keys from the environment it came from.
  const sessionToken = flags.s3AccessKeyId === undefined ? nonEmpty(env.AWS_SESSION_TOKEN) : undefined;
  return {
    type: 's3',
    bucket,
    region,
    forcePathStyle: flags.s3ForcePathStyle ?? true,
    ...(endpoint !== undefined ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : {}),
    ...(sessionToken !== undefined && accessKeyId !== undefined ? { sessionToken } : {}),
  };
}
