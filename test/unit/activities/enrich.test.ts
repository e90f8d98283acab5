/** Enrichment per destination, and while the loyalty API cannot answer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { enrichEvent, enrichmentFor } from '../../../activities/enrich';
import { LoyaltyApiUnavailableError, type LoyaltyApi } from '../../../src/enrichment/loyalty-api';
import type { CanonicalEvent } from '../../../src/model/canonical-event';

describe('enrichment per destination', () => {
  const data = {
    pointsBalance: { totalPoints: 10 },
    customerIdentifiers: { INSTORE: { source: 'INSTORE', mobile: '91', cardNumbers: ['CARD-1'] } },
    store: { code: 's1' },
  };
  it('keeps only what the destination chose; card numbers only when asked for', () => {
    assert.deepEqual(enrichmentFor({ pointsBalance: false, customerIdentifiers: 'INSTORE' }, data), {
      customerIdentifiers: { source: 'INSTORE', mobile: '91' },
    });
    assert.deepEqual(enrichmentFor({ pointsBalance: true, customerIdentifiers: 'INSTORE', cardNumbers: true, store: true }, data), {
      pointsBalance: { totalPoints: 10 },
      customerIdentifiers: { source: 'INSTORE', mobile: '91', cardNumbers: ['CARD-1'] },
      store: { code: 's1' },
    });
  });
});

describe('enrichment while the loyalty API cannot answer', () => {
  const event = {
    id: 'e1',
    source: 'capillary',
    sourceKind: 'capillary',
    name: 'pointsIssued',
    type: 'track',
    occurredAt: '',
    receivedAt: '',
    customer: { id: '1', identifiers: { mobile: '91' } },
    properties: {},
  } as CanonicalEvent;
  const down: LoyaltyApi = {
    pointsBalance: () => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')),
    customerProfile: () => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')),
    customerDetails: () => Promise.reject(new LoyaltyApiUnavailableError('loyalty API answered 503')),
  };
  const failure = (giveUpAtMs?: number) =>
    enrichEvent(event, { pointsBalance: true }, down, giveUpAtMs).then(
      () => assert.fail('enrich answered'),
      (e: unknown) => e as ApplicationFailure,
    );

  it('is retryable until the give-up time, then not (the run delivers without it)', async () => {
    const retry = await failure(Date.now() + 60_000);
    assert.equal(retry.type, 'LoyaltyApiUnavailable');
    assert.equal(retry.nonRetryable, false);
    const last = await failure(Date.now() - 1);
    assert.equal(last.nonRetryable, true);
    assert.match(last.message, /retried until the retry window ended/);
    assert.equal((await failure()).nonRetryable, false, 'no give-up time: retried');
  });
});
