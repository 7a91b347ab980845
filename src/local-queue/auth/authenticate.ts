// Who is calling: Hawk authentication of a request (Authorization header, or a `bewit` in a signed URL)
// with the `hawk` library, and the scopes the caller holds. The Hawk id is a client's, or with a
// `certificate` in `ext` that of temporary credentials; `authorizedScopes` in `ext` narrows the scopes.
// Without credentials a caller holds the anonymous role. Any failure is a 401 saying why.
import type { IncomingMessage } from 'node:http';
import hawk, { type HawkCredentials } from 'hawk';
import scopeLib from 'taskcluster-lib-scopes';
import { QueueError } from '../errors.js';
import { hasValidSignature, parseCertificate, temporaryAccessToken, validityProblem } from './certificate.js';
import type { ClientLookup } from './clients.js';
import { NonceCache } from './nonce-cache.js';
import type { Roles } from './roles.js';

export interface Caller {
  /** `undefined` without credentials. */
  clientId: string | undefined;
  /** Expanded through the roles, anonymous role included. */
  scopes: string[];
}

export interface AuthenticatorOptions {
  clients: ClientLookup;
  roles: Roles;
  /** Accepted difference between the caller's clock and ours, for Hawk timestamps and certificates. */
  clockSkewSeconds: number;
  /** The URL clients reach the queue at; a signature made for its host is accepted whatever the Host header. */
  publicUrl: () => string;
  now: () => number;
}

export const authenticationFailed = (reason: string): QueueError =>
  new QueueError('AuthenticationFailed', `Authentication failed: ${reason}`);

/** A caller's key and the scopes that key stands for, before `authorizedScopes` and roles. */
interface ResolvedCredentials {
  key: string;
  scopes: string[];
}

interface Ext {
  certificate?: unknown;
  authorizedScopes?: unknown;
}

/** Decoded `ext`s by their text: every call of a run sends the same one (its certificate). */
const decodedExts = new Map<string, Ext>();
const decodedExtsKept = 1000;

function decodeExt(ext: string | undefined): Ext {
  if (ext === undefined || ext === '') return {};
  const known = decodedExts.get(ext);
  if (known) return known;
  const decoded = parseExt(ext);
  if (decodedExts.size >= decodedExtsKept) {
    const oldest = decodedExts.keys().next().value;
    if (oldest !== undefined) decodedExts.delete(oldest);
  }
  decodedExts.set(ext, decoded);
  return decoded;
}

function parseExt(ext: string): Ext {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(ext, 'base64').toString('utf8'));
    if (typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded)) return decoded;
  } catch {
    // Reported below.
  }
  throw authenticationFailed('ext is not base64-encoded JSON');
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** A certificate whose signature and scopes were checked, for the issuer key it was checked with. */
interface VerifiedCertificate {
  issuerKey: string;
  /** The issuer's scopes then: a certificate may hand out only what its issuer holds now. */
  issuerScopes: string;
  cert: Exclude<ReturnType<typeof parseCertificate>, string>;
  resolved: ResolvedCredentials;
}

/** Certificates kept verified: every call of a run carries the same one, and checking it is two HMACs. */
const verifiedCertificatesKept = 1000;

export class Authenticator {
  private readonly options: AuthenticatorOptions;
  private readonly nonces: NonceCache;
  private readonly verified = new Map<string, VerifiedCertificate>();

  constructor(options: AuthenticatorOptions) {
    this.options = options;
    // A timestamp is accepted `skew` either side of now: remember nonces over the whole window.
    this.nonces = new NonceCache(2 * options.clockSkewSeconds);
  }

  get anonymous(): Caller {
    return { clientId: undefined, scopes: this.options.roles.expand([]) };
  }

  /** `rawBody`: the body as received, to check a Hawk payload hash against. */
  async authenticate(request: IncomingMessage, rawBody: string | undefined): Promise<Caller> {
    const authorization = header(request, 'authorization');
    const bewit = bewitOf(request.url ?? '');
    if (authorization === undefined && bewit === undefined) return this.anonymous;
    if (authorization !== undefined && !/^hawk\s/i.test(authorization)) {
      throw authenticationFailed('only the Hawk authorization scheme is supported');
    }
    let id: string;
    let ext: Ext;
    let rawExt = '';
    try {
      const attributes =
        authorization !== undefined
          ? hawk.utils.parseAuthorizationHeader(authorization)
          : parseBewit(bewit ?? '');
      id = attributes.id ?? '';
      ext = decodeExt(attributes.ext);
      rawExt = attributes.ext ?? '';
    } catch (error) {
      if (error instanceof QueueError) throw error;
      throw authenticationFailed(
        `malformed ${authorization !== undefined ? 'Authorization header' : 'bewit'}`,
      );
    }
    const resolved = await this.resolve(id, ext.certificate, rawExt);
    const credentials: HawkCredentials = { id, key: resolved.key, algorithm: 'sha256' };
    if (authorization !== undefined) await this.checkHeader(request, credentials, rawBody);
    else
      await this.forEachHost(request, (hostOptions) =>
        hawk.uri.authenticate(request, () => credentials, hostOptions),
      );
    return { clientId: id, scopes: this.narrow(resolved.scopes, ext.authorizedScopes) };
  }

  private async checkHeader(
    request: IncomingMessage,
    credentials: HawkCredentials,
    rawBody: string | undefined,
  ): Promise<void> {
    const { artifacts } = await this.forEachHost(request, (hostOptions) =>
      hawk.server.authenticate(request, () => credentials, {
        ...hostOptions,
        timestampSkewSec: this.options.clockSkewSeconds,
        nonceFunc: (_key: string, nonce: string, ts: string) => {
          const nowSeconds = Math.floor(this.options.now() / 1000);
          if (!this.nonces.remember(credentials.id, nonce, Number(ts), nowSeconds)) {
            throw new Error('replayed nonce');
          }
        },
      }),
    );
    // A hash is optional (taskcluster-client sends none), but one that was sent must match the body.
    if (artifacts.hash) {
      try {
        hawk.server.authenticatePayload(
          rawBody ?? '',
          credentials,
          artifacts,
          header(request, 'content-type'),
        );
      } catch {
        throw authenticationFailed('the payload hash does not match the body');
      }
    }
  }

  /**
   * Runs a Hawk check for the host the Host header names, then (behind a proxy that rewrote it, or for
   * https on the default port) for the public URL's host and port.
   */
  private async forEachHost<T>(
    request: IncomingMessage,
    check: (hostOptions: { host?: string; port?: number }) => Promise<T>,
  ): Promise<T> {
    let firstError: unknown;
    try {
      return await check({});
    } catch (error) {
      firstError = error;
    }
    const publicHost = hostOf(this.options.publicUrl());
    const message = (firstError as Error).message;
    if (publicHost && (message === 'Bad mac' || message === 'Invalid Host header')) {
      try {
        return await check(publicHost);
      } catch (error) {
        throw hawkFailure(error);
      }
    }
    throw hawkFailure(firstError);
  }

  /** The key that signed the request and the scopes it stands for. */
  /** `rawExt`: the `ext` as sent, which identifies the certificate in it (for the cache of verified ones). */
  private async resolve(id: string, certificateValue: unknown, rawExt: string): Promise<ResolvedCredentials> {
    const { clients, roles } = this.options;
    if (certificateValue === undefined) {
      const client = await clients(id);
      if (!client) throw authenticationFailed(`unknown clientId ${id}`);
      return { key: client.accessToken, scopes: client.scopes };
    }
    // The same certificate from the same id, checked before against the issuer's key and scopes, which are
    // still the same: only its validity in time is left to check.
    const cacheKey = `${id}\0${rawExt}`;
    const known = this.verified.get(cacheKey);
    if (known) {
      const issuer = await clients(known.cert.issuer ?? id);
      if (issuer?.accessToken === known.issuerKey && JSON.stringify(issuer.scopes) === known.issuerScopes) {
        const problem = validityProblem(known.cert, this.options.now(), this.options.clockSkewSeconds * 1000);
        if (problem) throw authenticationFailed(problem);
        return known.resolved;
      }
      this.verified.delete(cacheKey);
    }
    const cert = parseCertificate(certificateValue);
    if (typeof cert === 'string') throw authenticationFailed(cert);
    if (cert.issuer === id)
      throw authenticationFailed('ext.certificate.issuer must differ from the clientId');
    const issuerId = cert.issuer ?? id;
    const issuer = await clients(issuerId);
    if (!issuer) throw authenticationFailed(`unknown certificate issuer ${issuerId}`);
    if (!hasValidSignature(cert, id, issuer.accessToken)) {
      throw authenticationFailed('ext.certificate.signature is not valid');
    }
    const problem = validityProblem(cert, this.options.now(), this.options.clockSkewSeconds * 1000);
    if (problem) throw authenticationFailed(problem);
    // An issuer can hand out only what it holds, and naming credentials takes a scope of its own.
    const issuerScopes = roles.expand(issuer.scopes);
    const needed = cert.issuer !== undefined ? [...cert.scopes, `auth:create-client:${id}`] : cert.scopes;
    if (!scopeLib.satisfiesExpression(issuerScopes, { AllOf: needed })) {
      throw authenticationFailed(`the certificate's scopes exceed those of its issuer ${issuerId}`);
    }
    const resolved = { key: temporaryAccessToken(issuer.accessToken, cert.seed), scopes: cert.scopes };
    if (this.verified.size >= verifiedCertificatesKept) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(cacheKey, {
      issuerKey: issuer.accessToken,
      issuerScopes: JSON.stringify(issuer.scopes),
      cert,
      resolved,
    });
    return resolved;
  }

  private narrow(held: string[], authorizedScopes: unknown): string[] {
    const { roles } = this.options;
    const expanded = roles.expand(held);
    if (authorizedScopes === undefined) return expanded;
    if (!Array.isArray(authorizedScopes) || !authorizedScopes.every((s) => scopeLib.validScope(s))) {
      throw authenticationFailed('ext.authorizedScopes must be an array of scopes');
    }
    const wanted = authorizedScopes as string[];
    if (!scopeLib.satisfiesExpression(expanded, { AllOf: wanted })) {
      throw authenticationFailed('ext.authorizedScopes oversteps the scopes of the credentials');
    }
    return roles.expand(wanted);
  }
}

function bewitOf(url: string): string | undefined {
  const match = /[?&]bewit=([^&]*)/.exec(url);
  return match ? match[1] : undefined;
}

/** The bewit's own `id\exp\mac\ext`, read only for the id and ext; hawk checks the rest. */
function parseBewit(bewit: string): { id?: string; ext?: string } {
  const parts = Buffer.from(bewit, 'base64url').toString('utf8').split('\\');
  if (parts.length !== 4) throw new Error('invalid bewit');
  return { id: parts[0] ?? '', ext: parts[3] ?? '' };
}

function hostOf(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  } catch {
    return undefined;
  }
}

/** Hawk's reasons ("Bad mac", "Stale timestamp", "Invalid nonce", "Access expired", ...) are safe to tell. */
function hawkFailure(error: unknown): QueueError {
  if (error instanceof QueueError) return error;
  const reason = error instanceof Error && error.message !== '' ? error.message : 'bad signature';
  return authenticationFailed(reason);
}
