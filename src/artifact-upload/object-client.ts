// The object service calls an upload makes (`<rootUrl>/api/object/v1/`), typed, through taskcluster-client
// (which signs with Hawk and retries 5xx and network errors itself). The client is loaded on the first object
// upload: a worker whose artifacts go elsewhere never needs it.
import type { TemporaryCredentials } from '../queue/types.js';

export interface CreateUploadRequest {
  projectId: string;
  uploadId: string;
  expires: string;
  proposedUploadMethods: {
    dataInline?: { contentType: string; objectData: string };
    putUrl?: { contentType: string; contentLength: number };
  };
}

export interface CreateUploadResponse {
  projectId: string;
  uploadId: string;
  expires: string;
  /** At most one property: the method the service chose; none when it refused them all. */
  uploadMethod: {
    dataInline?: true;
    putUrl?: { url: string; expires: string; headers: Record<string, string> };
  };
}

export interface FinishUploadRequest {
  projectId: string;
  uploadId: string;
  hashes: { sha256: string; sha512?: string };
}

export interface ObjectClient {
  createUpload(name: string, request: CreateUploadRequest): Promise<CreateUploadResponse>;
  finishUpload(name: string, request: FinishUploadRequest): Promise<void>;
}

/** Makes the client of one upload, with the credentials createArtifact answered. */
export type ObjectClientFactory = (rootUrl: string, credentials: TemporaryCredentials) => ObjectClient;

export const taskclusterObjectClient: ObjectClientFactory = (rootUrl, credentials) => {
  const client = import('taskcluster-client').then(
    ({ default: tc }) => new tc.Object({ rootUrl, credentials: { ...credentials } }),
  );
  return {
    createUpload: async (name, request) =>
      (await (await client).createUpload(name, request)) as CreateUploadResponse,
    finishUpload: async (name, request) => {
      await (await client).finishUpload(name, request);
    },
  };
};
