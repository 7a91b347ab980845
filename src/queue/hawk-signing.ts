// Hawk signatures as Taskcluster's services check them: a request header, or a bewit in a GET URL, made
// with a client's credentials (sha256); temporary credentials add their certificate in Hawk's `ext`, and
// `authorizedScopes` narrow what the call may do.
import hawk from 'hawk';
import type { Credentials } from './types.js';

/** The Authorization header of one request (a fresh timestamp and nonce each time). */
export function hawkHeader(url: string, method: string, credentials: Credentials): string {
  const ext = hawkExt(credentials);
  return hawk.client.header(url, method, {
    credentials: { id: credentials.clientId, key: credentials.accessToken, algorithm: 'sha256' },
    ...(ext ? { ext } : {}),
  }).header;
}

/** `url` with a bewit appended, valid for `ttlSeconds`: a GET of it needs no other credentials. */
export function signedGetUrl(url: string, credentials: Credentials, ttlSeconds: number): string {
  const ext = hawkExt(credentials);
  const bewit = hawk.uri.getBewit(url, {
    credentials: { id: credentials.clientId, key: credentials.accessToken, algorithm: 'sha256' },
    ttlSec: ttlSeconds,
    ...(ext ? { ext } : {}),
  });
  // Appended as it is: re-encoding the query would change what the signature covers.
  return `${url}${url.includes('?') ? '&' : '?'}bewit=${encodeURIComponent(bewit)}`;
}

/** Throws when the credentials' certificate is not JSON (checked once per credentials object). */
export function checkCertificate(credentials: Credentials): void {
  hawkExt(credentials);
}

/** The `ext` of each credentials object, made once: every call of a run signs with the same. */
const extOf = new WeakMap<Credentials, string | undefined>();

/** Temporary credentials prove themselves with their certificate, sent (parsed) in Hawk's `ext`. */
function hawkExt(credentials: Credentials): string | undefined {
  if (extOf.has(credentials)) return extOf.get(credentials);
  const ext = makeExt(credentials);
  extOf.set(credentials, ext);
  return ext;
}

function makeExt(credentials: Credentials): string | undefined {
  const ext: { certificate?: unknown; authorizedScopes?: readonly string[] } = {};
  if (credentials.certificate) {
    try {
      ext.certificate = JSON.parse(credentials.certificate);
    } catch {
      throw new Error('the certificate of the temporary credentials is not JSON');
    }
  }
  if (credentials.authorizedScopes) ext.authorizedScopes = credentials.authorizedScopes;
  return Object.keys(ext).length > 0 ? Buffer.from(JSON.stringify(ext)).toString('base64') : undefined;
}
