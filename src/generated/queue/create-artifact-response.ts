/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export type CreateArtifactResponse = S3ArtifactResponse | ObjectArtifactResponse | OtherArtifactResponse;

export interface S3ArtifactResponse {
  storageType: 's3';
  contentType: string;
  expires: string;
  putUrl: string;
}
export interface ObjectArtifactResponse {
  storageType: 'object';
  name: string;
  projectId: string;
  uploadId: string;
  expires: string;
  credentials: TemporaryCredentials;
}
/**
 * Credentials issued by the queue for one run (certificate is a JSON string).
 */
export interface TemporaryCredentials {
  clientId: string;
  accessToken: string;
  certificate: string;
}
export interface OtherArtifactResponse {
  storageType: 'reference' | 'link' | 'error';
}
