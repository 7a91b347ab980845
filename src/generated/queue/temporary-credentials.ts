/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Credentials issued by the queue for one run (certificate is a JSON string).
 */
export interface TemporaryCredentials {
  clientId: string;
  accessToken: string;
  certificate: string;
}
