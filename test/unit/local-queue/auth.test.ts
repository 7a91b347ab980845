// The pieces of the queue's authentication: scope templates, roles, the nonce cache, certificates (checked
// against taskcluster-client's own helper) and the auth config file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import tc from 'taskcluster-client';
import { loadQueueAuthConfig, QueueAuthConfigError } from '../../../src/local-queue/auth/auth-config.js';
import {
  hasValidSignature,
  parseCertificate,
  temporaryAccessToken,
  validityProblem,
  type Certificate,
} from '../../../src/local-queue/auth/certificate.js';
import { NonceCache } from '../../../src/local-queue/auth/nonce-cache.js';
import { formatExpression } from '../../../src/local-queue/auth/require-scopes.js';
import { DEFAULT_ANONYMOUS_SCOPES, Roles } from '../../../src/local-queue/auth/roles.js';
import { renderScopes } from '../../../src/local-queue/auth/scope-templates.js';

describe('renderScopes', () => {
  test('fills parameters, expands for-loops and drops false ifs', () => {
    const template = {
      AllOf: [
        { for: 'scope', in: 'scopes', each: '<scope>' },
        'queue:scheduler-id:<schedulerId>',
        { if: 'private', then: 'queue:get-artifact:<name>' },
        { AnyOf: [{ for: 'p', in: 'priorities', each: 'queue:create-task:<p>:<q>' }] },
      ],
    };
    assert.deepEqual(
      renderScopes(template, {
        scopes: ['a', 'b'],
        schedulerId: '-',
        priorities: ['highest', 'high'],
        q: 'x/y',
      }),
      {
        AllOf: [
          'a',
          'b',
          'queue:scheduler-id:-',
          { AnyOf: ['queue:create-task:highest:x/y', 'queue:create-task:high:x/y'] },
        ],
      },
    );
    assert.equal(
      renderScopes('queue:reclaim-task:<taskId>/<runId>', { taskId: 'T', runId: 0 }),
      'queue:reclaim-task:T/0',
    );
    assert.throws(() => renderScopes('a:<missing>', {}), /missing/);
  });
});

describe('Roles', () => {
  test('expand assume: scopes, transitively and by prefix, and always grant the anonymous role', () => {
    const roles = new Roles([
      { roleId: 'worker-pool:proj/*', scopes: ['queue:claim-work:proj/*', 'assume:worker-id:*'] },
      { roleId: 'worker-id:*', scopes: ['queue:worker-id:*'] },
    ]);
    const scopes = roles.expand(['assume:worker-pool:proj/ci']);
    assert.ok(scopes.includes('queue:claim-work:proj/*'));
    assert.ok(scopes.includes('queue:worker-id:*'));
    assert.ok(scopes.includes('queue:get-artifact:public/*'), 'the default anonymous role');
    assert.deepEqual(new Roles().expand(['*']), ['*']);
  });

  test('a configured anonymous role replaces the default', () => {
    const scopes = new Roles([{ roleId: 'anonymous', scopes: [] }]).expand([]);
    assert.deepEqual(scopes, ['assume:anonymous']);
    assert.ok(DEFAULT_ANONYMOUS_SCOPES.includes('queue:status:*'));
  });
});

describe('NonceCache', () => {
  test('refuses a nonce seen for the same client and second, and forgets old seconds', () => {
    const cache = new NonceCache(10);
    assert.ok(cache.remember('c', 'n1', 100, 100));
    assert.ok(!cache.remember('c', 'n1', 100, 101));
    assert.ok(cache.remember('other', 'n1', 100, 101), 'another client');
    assert.ok(cache.remember('c', 'n1', 101, 101), 'another timestamp');
    cache.remember('c', 'n2', 120, 120);
    assert.equal(cache.size, 1, 'seconds before now - window are gone');
  });
});

/** The problem parseCertificate reported (it answers a string for a bad certificate). */
const problemOf = (parsed: Certificate | string): string => (typeof parsed === 'string' ? parsed : 'valid');

describe('certificates', () => {
  const issuer = { clientId: 'issuer/client', accessToken: 'the-issuer-access-token-xyz' };
  const start = new Date(Date.now() - 1000);
  const expiry = new Date(Date.now() + 60_000);

  test("taskcluster-client's temporary credentials verify, unnamed and named", () => {
    for (const clientId of [undefined, 'named/temp']) {
      const made = tc.createTemporaryCredentials({
        scopes: ['a:b', 'c:*'],
        start,
        expiry,
        credentials: issuer,
        ...(clientId ? { clientId } : {}),
      });
      const cert = parseCertificate(made.certificate) as Certificate;
      assert.equal(typeof cert, 'object');
      assert.equal(cert.issuer, clientId ? issuer.clientId : undefined);
      assert.ok(hasValidSignature(cert, made.clientId, issuer.accessToken));
      assert.ok(!hasValidSignature(cert, made.clientId, 'another-token'));
      assert.ok(!hasValidSignature({ ...cert, scopes: ['*'] }, made.clientId, issuer.accessToken));
      assert.equal(temporaryAccessToken(issuer.accessToken, cert.seed), made.accessToken);
      assert.equal(validityProblem(cert, Date.now(), 0), undefined);
      assert.match(validityProblem(cert, expiry.getTime() + 1, 0) ?? '', /expired/);
      assert.equal(validityProblem(cert, expiry.getTime() + 1, 1000), undefined, 'within the skew');
    }
  });

  test('malformed certificates say what is wrong', () => {
    assert.match(problemOf(parseCertificate('{nope')), /not valid JSON/);
    assert.match(problemOf(parseCertificate({ version: 2 })), /version/);
    const shortSeed = { version: 1, scopes: [], start: 1, expiry: 2, seed: 'short', signature: 's' };
    assert.match(problemOf(parseCertificate(shortSeed)), /seed/);
  });
});

describe('formatExpression', () => {
  test('prints one scope a line, nested expressions indented', () => {
    assert.equal(
      formatExpression({ AllOf: ['a', { AnyOf: ['b', 'c'] }] }),
      'AllOf:\n  a\n  AnyOf:\n    b\n    c',
    );
  });
});

describe('loadQueueAuthConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-auth-config-'));
  test('reads clients and roles from YAML, filling defaults', async () => {
    const path = join(dir, 'ok.yml');
    writeFileSync(
      path,
      'clients:\n  - clientId: pool/ci\n    accessToken: a-long-enough-access-token\n    scopes: [assume:pool]\nroles:\n  - roleId: pool\n    scopes: ["queue:claim-work:proj/ci"]\n',
    );
    const config = await loadQueueAuthConfig(path);
    assert.equal(config.clients[0]?.clientId, 'pool/ci');
    assert.equal(config.roles[0]?.roleId, 'pool');
    assert.equal(config.clockSkewSeconds, 900);
  });
  test('lists every problem', async () => {
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'clients:\n  - clientId: "bad id"\n    accessToken: short\nunknown: 1\n');
    await assert.rejects(loadQueueAuthConfig(path), (error: Error) => {
      assert.ok(error instanceof QueueAuthConfigError);
      assert.match(error.message, /clientId/);
      assert.match(error.message, /accessToken/);
      assert.match(error.message, /scopes/);
      assert.match(error.message, /unknown/);
      return true;
    });
  });
});
