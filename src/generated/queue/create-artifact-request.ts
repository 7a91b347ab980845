/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export type CreateArtifactRequest =
  | S3ArtifactRequest
  | ObjectArtifactRequest
  | ReferenceArtifactRequest
  | LinkArtifactRequest
  | ErrorArtifactRequest;

export interface S3ArtifactRequest {
  storageType: 's3';
  contentType: string;
  contentLength?: number;
  expires: string;
}
export interface ObjectArtifactRequest {
  storageType: 'object';
  contentType: string;
  expires: string;
}
export interface ReferenceArtifactRequest {
  storageType: 'reference';
  url: string;
  contentType?: string;
  expires: string;
}
export interface LinkArtifactRequest {
  storageType: 'link';
  artifact: string;
  contentType?: string;
  expires: string;
}
export interface ErrorArtifactRequest {
  storageType: 'error';
  reason:
    | 'file-missing-on-worker'
    | 'invalid-resource-on-worker'
    | 'too-large-file-on-worker'
    | 'file-not-readable-on-worker';
  message: string;
  expires: string;
}
