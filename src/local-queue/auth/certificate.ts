// Taskcluster's temporary-credential certificates: `{version: 1, scopes, start, expiry, seed, signature,
// issuer?}`, signed with HMAC-SHA256 by the issuing client's accessToken over newline-separated
// `field:value` lines (clientId and issuer only for named credentials, then the scopes one per line). The
// temporary accessToken is the issuer's HMAC of the seed, so whoever knows the issuer's token can verify
// a certificate and rebuild the key without storing anything.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Certificate {
  version: 1;
  scopes: string[];
  /** Milliseconds since the epoch. */
  start: number;
  expiry: number;
  seed: string;
  signature: string;
  /** Present for named temporary credentials: the client that issued them. */
  issuer?: string;
}

/** Taskcluster refuses certificates valid for longer than this. */
export const MAX_CERTIFICATE_LIFETIME_MS = 31 * 24 * 3600 * 1000;

/** The seed is two slugids' worth of characters, as Taskcluster's own helper makes it. */
const SEED_LENGTH = 44;

export function certificateSignature(
  issuerAccessToken: string,
  cert: Omit<Certificate, 'signature'>,
  /** The temporary clientId: signed only for named credentials (those with an issuer). */
  clientId: string,
): string {
  const lines = [`version:${cert.version}`];
  if (cert.issuer !== undefined) lines.push(`clientId:${clientId}`, `issuer:${cert.issuer}`);
  lines.push(`seed:${cert.seed}`, `start:${cert.start}`, `expiry:${cert.expiry}`, 'scopes:');
  return createHmac('sha256', issuerAccessToken)
    .update(lines.join('\n') + '\n' + cert.scopes.join('\n'))
    .digest('base64');
}

/** The accessToken that goes with a certificate: base64url without padding, as Taskcluster derives it. */
export const temporaryAccessToken = (issuerAccessToken: string, seed: string): string =>
  createHmac('sha256', issuerAccessToken).update(seed).digest('base64url');

/** Checks the shape of a certificate (sent as an object or a JSON string); answers what is wrong, if any. */
export function parseCertificate(value: unknown): Certificate | string {
  let cert: unknown = value;
  if (typeof value === 'string') {
    try {
      cert = JSON.parse(value);
    } catch {
      return 'ext.certificate is not valid JSON';
    }
  }
  if (typeof cert !== 'object' || cert === null) return 'ext.certificate must be a JSON object';
  const c = cert as Record<string, unknown>;
  if (c.version !== 1) return 'ext.certificate.version must be 1';
  if (!Array.isArray(c.scopes) || !c.scopes.every((s) => typeof s === 'string')) {
    return 'ext.certificate.scopes must be an array of strings';
  }
  if (typeof c.start !== 'number' || typeof c.expiry !== 'number') {
    return 'ext.certificate.start and expiry must be numbers';
  }
  if (typeof c.seed !== 'string' || c.seed.length !== SEED_LENGTH) {
    return `ext.certificate.seed must be a string of ${SEED_LENGTH} characters`;
  }
  if (typeof c.signature !== 'string') return 'ext.certificate.signature must be a string';
  if (c.issuer !== undefined && typeof c.issuer !== 'string')
    return 'ext.certificate.issuer must be a string';
  return c as unknown as Certificate;
}

/** Whether the certificate was signed with `issuerAccessToken` (in constant time). */
export function hasValidSignature(cert: Certificate, clientId: string, issuerAccessToken: string): boolean {
  const expected = Buffer.from(certificateSignature(issuerAccessToken, cert, clientId));
  const given = Buffer.from(cert.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** What is wrong with the validity period at `now`, allowing `skewMs` of clock difference, if anything. */
export function validityProblem(cert: Certificate, now: number, skewMs: number): string | undefined {
  if (cert.expiry - cert.start > MAX_CERTIFICATE_LIFETIME_MS) {
    return 'ext.certificate cannot be valid for more than 31 days';
  }
  if (cert.start > now + skewMs) return 'ext.certificate.start is in the future';
  if (cert.expiry < now - skewMs) return 'ext.certificate.expiry is in the past: the credentials expired';
  return undefined;
}
