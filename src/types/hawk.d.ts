// The part of `hawk` (mozilla/hawk, the Hawk implementation Taskcluster uses) that the worker and the
// embedded queue call.
/* eslint-disable no-restricted-syntax -- mirrors a CommonJS module whose default export is its API */
declare module 'hawk' {
  export interface HawkCredentials {
    id: string;
    key: string;
    algorithm: 'sha256' | 'sha1';
  }
  export interface HeaderOptions {
    credentials: HawkCredentials;
    ext?: string;
    timestamp?: number;
    nonce?: string;
    localtimeOffsetMsec?: number;
    payload?: string;
    contentType?: string;
  }
  export interface ServerCredentialsLookup {
    (id: string): Promise<HawkCredentials | undefined> | HawkCredentials | undefined;
  }
  export interface HawkArtifacts {
    ext?: string;
    hash?: string;
    id: string;
    method: string;
    resource: string;
    host: string;
    port: number;
  }
  export interface AuthenticateResult {
    credentials: HawkCredentials;
    artifacts: HawkArtifacts;
  }
  export interface ServerOptions {
    host?: string;
    port?: number;
    timestampSkewSec?: number;
    nonceFunc?: (key: string, nonce: string, ts: string) => void | Promise<void>;
    payload?: string;
  }
  const hawk: {
    client: {
      header(uri: string | URL, method: string, options: HeaderOptions): { header: string };
    };
    uri: {
      getBewit(uri: string, options: { credentials: HawkCredentials; ttlSec: number; ext?: string }): string;
      authenticate(
        request: import('node:http').IncomingMessage,
        credentialsFunc: ServerCredentialsLookup,
        options?: Record<string, unknown>,
      ): Promise<{
        credentials: HawkCredentials;
        attributes: { id: string; exp: string; mac: string; ext?: string };
      }>;
    };
    server: {
      authenticate(
        request: import('node:http').IncomingMessage,
        credentialsFunc: ServerCredentialsLookup,
        options?: ServerOptions,
      ): Promise<AuthenticateResult>;
      authenticatePayload(
        payload: string,
        credentials: HawkCredentials,
        artifacts: HawkArtifacts,
        contentType: string | undefined,
      ): void;
    };
    uri: {
      authenticate(
        request: import('node:http').IncomingMessage,
        credentialsFunc: ServerCredentialsLookup,
        options?: { host?: string; port?: number },
      ): Promise<{ credentials: HawkCredentials; attributes: { id: string; exp: string; ext: string } }>;
      getBewit(uri: string, options: { credentials: HawkCredentials; ttlSec: number; ext?: string }): string;
    };
    utils: {
      /** Throws on a malformed header. */
      parseAuthorizationHeader(header: string): { id?: string; ts?: string; nonce?: string; ext?: string };
    };
  };
  export default hawk;
}
