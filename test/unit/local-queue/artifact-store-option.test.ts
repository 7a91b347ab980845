// parseArtifactStoreOption: `--artifact-store` with the S3 flags and the AWS environment variables.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ArtifactStoreOptionError,
  parseArtifactStoreOption,
} from '../../../src/local-queue/artifact-store-option.js';

describe('parseArtifactStoreOption', () => {
  test('file is the default', () => {
    for (const url of [undefined, '', 'file', 'file:', 'file://']) {
      assert.deepEqual(parseArtifactStoreOption(url, {}, {}), { type: 'file' });
    }
  });

  test('s3://BUCKET takes its settings from the flags first, then the environment', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://env-endpoint:9000',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'envkey',
      AWS_SECRET_ACCESS_KEY: 'envsecret',
      AWS_SESSION_TOKEN: 'envtoken',
    };
    assert.deepEqual(parseArtifactStoreOption('s3://my-bucket', {}, env), {
      type: 's3',
      bucket: 'my-bucket',
      region: 'eu-west-1',
      forcePathStyle: true,
      endpoint: 'http://env-endpoint:9000',
      accessKeyId: 'envkey',
      secretAccessKey: 'envsecret',
      sessionToken: 'envtoken',
    });
    const flags = {
      s3Endpoint: 'http://127.0.0.1:7480/',
      s3Region: 'us-west-2',
      s3AccessKeyId: 'flagkey',
      s3SecretAccessKey: 'flagsecret',
      s3ForcePathStyle: false,
    };
    // Keys from flags never pick up the environment's session token.
    assert.deepEqual(parseArtifactStoreOption('s3://my-bucket/', flags, env), {
      type: 's3',
      bucket: 'my-bucket',
      region: 'us-west-2',
      forcePathStyle: false,
      endpoint: 'http://127.0.0.1:7480',
      accessKeyId: 'flagkey',
      secretAccessKey: 'flagsecret',
    });
    // The S3-specific endpoint variable wins over the general one.
    const both = { AWS_ENDPOINT_URL_S3: 'https://s3.example', AWS_ENDPOINT_URL: 'https://other.example' };
    assert.equal(
      (parseArtifactStoreOption('s3://b-1', {}, both) as { endpoint?: string }).endpoint,
      'https://s3.example',
    );
  });

  test('without keys or region: the SDK default chain and us-east-1', () => {
    assert.deepEqual(parseArtifactStoreOption('s3://bucket', {}, { AWS_DEFAULT_REGION: ' ' }), {
      type: 's3',
      bucket: 'bucket',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    assert.equal(
      (
        parseArtifactStoreOption('s3://bucket', {}, { AWS_DEFAULT_REGION: 'ap-south-1' }) as {
          region: string;
        }
      ).region,
      'ap-south-1',
    );
  });

  test('refuses what it cannot use, saying what to fix', () => {
    const refused = (url: string, flags = {}, env = {}): string => {
      try {
        parseArtifactStoreOption(url, flags, env);
      } catch (error) {
        assert.ok(error instanceof ArtifactStoreOptionError);
        return error.message;
      }
      throw new Error(`accepted ${url}`);
    };
    assert.match(refused('gs://bucket'), /must be `file` or `s3:\/\/BUCKET`/);
    assert.match(refused('s3://bucket/prefix'), /must be `file` or `s3:\/\/BUCKET`/);
    assert.match(refused('s3://'), /not a valid bucket name/);
    assert.match(refused('s3://Upper'), /not a valid bucket name/);
    assert.match(refused('s3://a..b'), /not a valid bucket name/);
    assert.match(refused('s3://bucket', { s3Endpoint: '127.0.0.1:7480' }), /--s3-endpoint must be an http/);
    assert.match(refused('s3://bucket', { s3AccessKeyId: 'k' }), /keys come in pairs/);
    assert.match(refused('s3://bucket', {}, { AWS_SECRET_ACCESS_KEY: 's' }), /keys come in pairs/);
  });
});
