// Temporary credentials for one run, in the shape Taskcluster's auth service issues and checks: a
// certificate signed with the issuer's access token (documented at docs.taskcluster.net, "temporary
// credentials"). The issuer secret is the queue's own, kept in its database; the queue's authentication
// knows the issuer as a client and verifies these credentials like any other temporary credentials.
import { randomBytes } from 'node:crypto';
import type { TemporaryCredentials } from '../../generated/queue/temporary-credentials.js';
import { certificateSignature, temporaryAccessToken } from '../auth/certificate.js';
import type { ClientRecord } from '../auth/clients.js';

export const QUEUE_ISSUER = 'static/taskcluster/queue';

export interface IssueOptions {
  clientId: string;
  scopes: readonly string[];
  start: number;
  expiry: number;
}

export class CredentialIssuer {
  private readonly accessToken: string;
  readonly issuer: string;

  constructor(accessToken: string, issuer = QUEUE_ISSUER) {
    this.accessToken = accessToken;
    this.issuer = issuer;
  }

  issue(options: IssueOptions): TemporaryCredentials {
    const unsigned = {
      version: 1 as const,
      scopes: [...options.scopes],
      start: options.start,
      expiry: options.expiry,
      seed: randomBytes(33).toString('base64url'),
      issuer: this.issuer,
    };
    const signature = certificateSignature(this.accessToken, unsigned, options.clientId);
    // Key order as a real queue writes it (claimWork.response.json).
    const { issuer, ...rest } = unsigned;
    const certificate = JSON.stringify({ ...rest, signature, issuer });
    const accessToken = temporaryAccessToken(this.accessToken, unsigned.seed);
    return { clientId: options.clientId, accessToken, certificate };
  }

  /** The issuer as a client of its own, so certificates it issued can be checked like any other. */
  asClient(): ClientRecord {
    return {
      clientId: this.issuer,
      accessToken: this.accessToken,
      scopes: ['*'],
      description: 'the queue itself',
    };
  }

  /** Credentials for a claimed run: reclaim, resolve and create artifacts for it, plus the task's scopes. */
  forRun(
    run: { taskId: string; runId: number; workerGroup: string; workerId: string; takenUntil: number },
    taskScopes: readonly string[],
    now: number,
  ): TemporaryCredentials {
    const { taskId, runId, workerGroup, workerId, takenUntil } = run;
    const id = `${taskId}/${runId}`;
    return this.issue({
      clientId: `task-client/${id}/on/${workerGroup}/${workerId}/until/${takenUntil / 1000}`,
      scopes: [
        `queue:reclaim-task:${id}`,
        `queue:resolve-task:${id}`,
        `queue:create-artifact:${id}`,
        ...taskScopes,
      ],
      start: now,
      expiry: takenUntil,
    });
  }
}
