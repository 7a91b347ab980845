/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Clients and roles of the embedded queue, given with `tc-worker queue --config FILE` (YAML or JSON). These come on top of the root client and the clients made with `tc-worker queue add-client`, which live in the data directory; a client named here wins over a stored one of the same clientId.
 */
export interface QueueAuthConfig {
  /**
   * Static clients, e.g. for a worker pool whose credentials are managed elsewhere.
   */
  clients?: {
    /**
     * The Hawk id, e.g. `project/ci/worker-pool`.
     */
    clientId: string;
    /**
     * The secret; at least 22 characters (`tc-worker queue add-client` makes 43).
     */
    accessToken: string;
    /**
     * What the client may do, e.g. `queue:claim-work:proj/ci`, `assume:worker-pool:proj/ci`.
     */
    scopes: string[];
    description?: string;
  }[];
  /**
   * Roles: a client holding `assume:<roleId>` holds the role's scopes too. A roleId ending in `*` is assumed by every scope `assume:<prefix>...`. The `anonymous` role is what every caller holds, credentials or not; given here it replaces the default (reading tasks, statuses, listings and `public/` artifacts).
   */
  roles?: {
    roleId: string;
    scopes: string[];
    description?: string;
  }[];
  /**
   * Accepted difference between a caller's clock and the queue's, for Hawk timestamps and the validity of temporary credentials (15 minutes, as on a real deployment).
   */
  clockSkewSeconds?: number;
}
