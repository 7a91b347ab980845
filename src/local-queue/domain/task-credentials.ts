// Temporary credentials for one run, in the shape Taskcluster's auth service issues and checks: a
// certificate signed with the issuer's access token (documented at docs.taskcluster.net, "temporary
// credentials"). The issuer secret is the queue's own, kept in its database, so once Hawk authentication
// lands these credentials can be verified.
import { createHmac, randomBytes } from 'node:crypto';
import type { TemporaryCredentials } from '../../generated/queue/temporary-credentials.js';

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
    const seed = randomBytes(33).toString('base64url');
    const lines = [
      'version:1',
      `clientId:${options.clientId}`,
      `issuer:${this.issuer}`,
      `seed:${seed}`,
      `start:${options.start}`,
      `expiry:${options.expiry}`,
      'scopes:',
    ];
    const signature = createHmac('sha256', this.accessToken)
      .update(lines.join('\n') + '\n' + options.scopes.join('\n'))
      .digest('base64');
    const certificate = {
      version: 1,
      scopes: [...options.scopes],
      start: options.start,
      expiry: options.expiry,
      seed,
      signature,
      issuer: this.issuer,
    };
    const accessToken = createHmac('sha256', this.accessToken).update(seed).digest('base64url');
    return { clientId: options.clientId, accessToken, certificate: JSON.stringify(certificate) };
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
