/** The in-process concurrency limiter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConcurrencyLimiter } from '../../../src/http/limiter';

describe('concurrency limiter', () => {
  it('never lets more than the limit run, and runs everything', async () => {
    const limiter = createConcurrencyLimiter();
    let active = 0;
    let peak = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await limiter.acquire('d', 3);
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        done += 1;
        release();
      }),
    );
    assert.equal(peak, 3);
    assert.equal(done, 20);
    assert.equal(limiter.active('d'), 0);
  });

  it('gives up waiting when the signal aborts', async () => {
    const limiter = createConcurrencyLimiter();
    const hold = await limiter.acquire('d', 1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20); // a ref'd timer: AbortSignal.timeout() would let the test's event loop drain
    await assert.rejects(limiter.acquire('d', 1, controller.signal), /no connection slot to d came free in time.*not sent/);
    hold();
    const again = await limiter.acquire('d', 1);
    again();
  });
});
