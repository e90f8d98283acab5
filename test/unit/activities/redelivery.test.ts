/**
 * The bulk redelivery's activity with a stub Temporal client: how each run's answer is counted,
 * that Temporal being unreachable fails the attempt (to be retried) while one run's own problem
 * does not, and that a retried attempt resumes from its heartbeat instead of sending again.
 * (test/e2e/redelivery.test.ts runs it for real.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRedeliveryActivities, type RedeliverPageInput, type RedeliverPageResult } from '../../../activities/redelivery';

type Behaviour = 'ok' | 'delivered' | 'closed' | 'broken' | 'down';

function grpcError(code: number): Error {
  return Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code, details: 'connection refused', metadata: {} });
}

/** A client whose runs answer as `runs` says; records every Update sent. */
function stubClient(runs: Record<string, Behaviour>, nextPageToken = '') {
  const sent: { workflowId: string; updateId?: string; args: unknown }[] = [];
  let listed = 0;
  const client = {
    options: { namespace: 'default' },
    workflowService: {
      listWorkflowExecutions: () => {
        listed++;
        return Promise.resolve({
          executions: Object.keys(runs).map((workflowId) => ({ execution: { workflowId } })),
          nextPageToken: Buffer.from(nextPageToken),
        });
      },
    },
    workflow: {
      getHandle: (workflowId: string) => ({
        executeUpdate: (_def: unknown, options: { args: unknown[]; updateId?: string }) => {
          sent.push({ workflowId, ...(options.updateId ? { updateId: options.updateId } : {}), args: options.args[0] });
          switch (runs[workflowId]) {
            case 'ok':
              return Promise.resolve({ redelivering: ['crm'] });
            case 'delivered':
              return Promise.reject(
                new WorkflowUpdateFailedError(
                  'refused',
                  ApplicationFailure.create({
                    type: 'UpdateRefused',
                    message: '"crm" got a 2xx',
                    details: [{ code: 'already_delivered' }],
                  }),
                ),
              );
            case 'closed':
              return Promise.reject(new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined));
            case 'broken':
              return Promise.reject(new Error('history size exceeds limit'));
            default:
              return Promise.reject(new ServiceError('Workflow Update failed', { cause: grpcError(14) }));
          }
        },
        describe: () => Promise.resolve({ status: { name: 'COMPLETED' }, type: 'relayEvent' }),
      }),
    },
  };
  return { client: client as unknown as Client, sent, listedCount: () => listed };
}

/** The activity, as a plain function (the worker calls it as one too). */
function pageOf(client: Client): (i: RedeliverPageInput) => Promise<RedeliverPageResult> {
  const activities = createRedeliveryActivities(client);
  return (i) => activities.redeliverPage(i);
}

const input: RedeliverPageInput = { query: 'q', pageSize: 100, destination: 'crm', concurrency: 2, operationId: 'redelivery-op' };

describe('redeliverPage', () => {
  it('counts accepted runs as done, refused or ended ones as skipped, a run’s own error as failed; passes the page token on', async () => {
    const { client, sent } = stubClient({ a: 'ok', b: 'delivered', c: 'closed', d: 'broken', e: 'ok' }, 'page-2');
    const redeliverPage = pageOf(client);
    const result: RedeliverPageResult = await new MockActivityEnvironment().run(redeliverPage, input);
    assert.deepEqual(
      { ...result, failures: result.failures.map((f) => f.workflowId) },
      { listed: 5, done: 2, skipped: 2, failed: 1, failures: ['d'], nextPageToken: Buffer.from('page-2').toString('base64') },
    );
    // Only the named destination; one Update id per operation and run, so a resend is the same Update.
    assert.deepEqual(
      sent.find((s) => s.workflowId === 'a'),
      { workflowId: 'a', updateId: 'redelivery-op/a', args: { destinations: ['crm'] } },
    );
  });

  it('fails the attempt when Temporal is unreachable, so it is retried', async () => {
    const { client } = stubClient({ a: 'ok', b: 'down' });
    const redeliverPage = pageOf(client);
    await assert.rejects(new MockActivityEnvironment().run(redeliverPage, { ...input, concurrency: 1 }), ServiceError);
  });

  it('a retried attempt resumes from its heartbeat: runs already handled are not sent again, their counts kept', async () => {
    const { client, sent, listedCount } = stubClient({ a: 'ok', b: 'ok', c: 'ok' });
    const redeliverPage = pageOf(client);
    const checkpoint = { workflowIds: ['a', 'b', 'c'], handled: [true, true], done: 2, skipped: 0, failed: 0, failures: [] };
    const result = await new MockActivityEnvironment({ heartbeatDetails: checkpoint }).run(redeliverPage, input);
    assert.deepEqual(result, { listed: 3, done: 3, skipped: 0, failed: 0, failures: [] });
    assert.deepEqual(
      sent.map((s) => s.workflowId),
      ['c'],
    );
    assert.equal(listedCount(), 0, 'the page is not listed again');
  });

  it('heartbeats after every run with what it has done', async () => {
    const { client } = stubClient({ a: 'ok', b: 'delivered' });
    const redeliverPage = pageOf(client);
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(structuredClone(d)));
    await env.run(redeliverPage, { ...input, concurrency: 1 });
    assert.equal(beats.length, 2);
    assert.deepEqual((beats[1] as { handled: boolean[]; done: number; skipped: number }).handled, [true, true]);
    assert.deepEqual(
      beats.map((b) => (b as { done: number }).done),
      [1, 1],
    );
  });
});

describe('redeliverPage: the operation’s last page reports its totals (redelivery.completed)', () => {
  it('reports once at the last page (no page token), with the counts before it added; not at other pages', async () => {
    const reported: unknown[] = [];
    const onCompleted = (c: unknown) => {
      reported.push(c);
      return Promise.resolve();
    };
    const before = { processed: 100, done: 90, skipped: 8, failed: 2 };
    const more = stubClient({ a: 'ok' }, 'page-3');
    const notLast = createRedeliveryActivities(more.client, onCompleted);
    await new MockActivityEnvironment().run((i: RedeliverPageInput) => notLast.redeliverPage(i), { ...input, before });
    assert.equal(reported.length, 0, 'another page follows');
    const last = stubClient({ a: 'ok', b: 'delivered', d: 'broken' });
    const lastPage = createRedeliveryActivities(last.client, onCompleted);
    await new MockActivityEnvironment().run((i: RedeliverPageInput) => lastPage.redeliverPage(i), { ...input, before });
    assert.equal(reported.length, 1);
    const c = reported[0] as { processed: number; done: number; skipped: number; failed: number; operationId: string };
    assert.deepEqual(
      { operationId: c.operationId, processed: c.processed, done: c.done, skipped: c.skipped, failed: c.failed },
      { operationId: 'redelivery-op', processed: 103, done: 91, skipped: 9, failed: 3 },
    );
  });

  it('the cap reached is the last page too', async () => {
    const reported: unknown[] = [];
    const { client } = stubClient({ a: 'ok', b: 'ok' }, 'page-2');
    const capped = createRedeliveryActivities(client, (c) => {
      reported.push(c);
      return Promise.resolve();
    });
    await new MockActivityEnvironment().run((i: RedeliverPageInput) => capped.redeliverPage(i), {
      ...input,
      before: { processed: 8, done: 8, skipped: 0, failed: 0 },
      maxRuns: 10,
    });
    assert.equal(reported.length, 1);
  });
});
