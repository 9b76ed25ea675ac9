/** Chaos scenarios b, e and f: a lock holder killed, the extension endpoint blackholed, restarts racing. */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CHAOS_JOB,
  LONG,
  SHORT,
  START_CALL,
  expect,
  count,
  statuses,
  spread,
  chaos,
  startUntilAccepted,
  type Scenario,
  type Expectation,
} from './scenario';

export const killBetweenLockAndStart: Scenario = {
  key: 'b',
  title: 'b. SIGKILL of the instance holding the lock between lock and start',
  needs: 2,
  async run(context) {
    const [victim, ...others] = context.cluster.living();
    const id = `${context.tag}-b-kill`;
    const rpc = `rpc${victim}`;
    const before = (await context.cluster.proxyStats())[rpc].delayedChunks;
    // Hold the start call in the proxy, so the instance dies with the lock taken and nothing started.
    await context.cluster.setFaults(rpc, {
      latency: { minMs: 5_000, maxMs: 5_000, match: START_CALL },
    });
    const endDelay = context.board.begin('latency', `instance:${victim}`);
    const pending = context.recorder.start({ ...chaos(id, LONG), instance: victim });
    const heldDeadline = Date.now() + 20_000;
    while ((await context.cluster.proxyStats())[rpc].delayedChunks === before) {
      if (Date.now() > heldDeadline) {
        endDelay();
        return [expect(false, 'the start call never reached the extension endpoint proxy')];
      }
      await sleep(50);
    }
    context.board.begin('kill', `instance:${victim}`);
    const killedAt = Date.now();
    const pids = context.cluster.kill(victim);
    context.log(`b: killed instance ${victim} (pids ${pids.join(', ')}) with the start call held`);
    const lost = await pending;
    await context.cluster.setFaults(rpc, {});
    endDelay();
    const accepted = await startUntilAccepted(context, id, others, LONG, 60_000);
    const took = accepted ? (accepted.answeredAt - killedAt) / 1000 : Infinity;
    context.log(
      `b: the request to the killed instance got ${lost.status || 'no answer'}; 202 through another instance after ${took.toFixed(1)} s`,
    );
    return [
      expect(
        lost.status === 0,
        `the request to the killed instance got no answer (got ${lost.status})`,
      ),
      expect(
        took <= context.leaseSeconds + 5,
        `the ID was startable again within the lease (${context.leaseSeconds} s) + 5 s: ${took.toFixed(1)} s`,
      ),
    ];
  },
};

export const extensionBlackhole: Scenario = {
  key: 'e',
  title:
    "e. the extension's endpoint blackholed (or too slow) during the start call, and during operator reads",
  needs: 2,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const [x, y] = context.cluster.living();
      const rpc = `rpc${x}`;
      // (1) The start call is swallowed: 503, the lease is left to expire, nothing lands.
      const swallowed = `${context.tag}-e${round}-swallowed`;
      await context.cluster.setFaults(rpc, { blackholeMatch: START_CALL });
      const endHole = context.board.begin('blackhole', `instance:${x}`);
      const first = await context.recorder.start({ ...chaos(swallowed, SHORT), instance: x });
      await context.cluster.setFaults(rpc, {});
      endHole();
      const retried = await startUntilAccepted(context, swallowed, [y], SHORT, 45_000);
      // (2) The start call is slower than the starter's timeout: 503, then the start lands anyway.
      const late = `${context.tag}-e${round}-late`;
      await context.cluster.setFaults(rpc, {
        latency: { minMs: 8_000, maxMs: 8_000, match: START_CALL },
      });
      const endDelay = context.board.begin('latency', `instance:${x}`);
      const slow = await context.recorder.start({
        ...chaos(late, { holdSeconds: 6, beatSeconds: 1 }),
        instance: x,
      });
      await sleep(4_000); // until the held call has been delivered
      await context.cluster.setFaults(rpc, {});
      endDelay();
      const after = await startUntilAccepted(context, late, [y], SHORT, 45_000);
      // (3) The operator routes, with the extension's instance calls swallowed: 503, Retry-After.
      await context.cluster.setFaults(rpc, { blackholeMatch: 'durabletask/instances' });
      const endReads = context.board.begin('blackhole', `instance:${x}`);
      const door = `${context.cluster.frontDoor(x)}/api/orchestrators/${CHAOS_JOB}`;
      const operator = await Promise.all(
        [`${door}/${encodeURIComponent(swallowed)}`, `${door}?prefix=${context.tag}`].map((url) =>
          fetch(url, { signal: AbortSignal.timeout(30_000) })
            .then(async (r) => ({
              status: r.status,
              retryAfter: r.headers.get('retry-after'),
              _: await r.text(),
            }))
            .catch(() => ({ status: 0, retryAfter: null })),
        ),
      );
      await context.cluster.setFaults(rpc, {});
      endReads();
      context.log(
        `e#${round}: swallowed start ${first.status}, retry 202 after ${retried ? ((retried.answeredAt - first.answeredAt) / 1000).toFixed(1) : '-'} s; ` +
          `late start ${slow.status}, retry 202 after ${after ? ((after.answeredAt - slow.answeredAt) / 1000).toFixed(1) : '-'} s; ` +
          `operator status and list ${operator.map((o) => o.status).join(' ')}`,
      );
      results.push(
        expect(
          first.status === 503 && first.retryAfter !== undefined,
          `round ${round}: a swallowed start call is answered 503 with Retry-After (got ${first.status})`,
        ),
        expect(
          retried !== undefined,
          `round ${round}: the ID is startable again after the lease expired`,
        ),
        expect(
          slow.status === 503,
          `round ${round}: a start call slower than the timeout is answered 503 (got ${slow.status})`,
        ),
        expect(
          after !== undefined,
          `round ${round}: the ID is startable again once the late run ended`,
        ),
        expect(
          operator.every((o) => o.status === 503 && o.retryAfter !== null),
          `round ${round}: the operator's status and list, their backend calls swallowed, are answered 503 with Retry-After (got ${operator.map((o) => o.status).join(', ')})`,
        ),
      );
    }
    return results;
  },
};

export const restartRace: Scenario = {
  key: 'f',
  title:
    'f. onConflict=restart racing rejects and attaches across instances; a start past the starter',
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const id = `${context.tag}-f${round}`;
      const [first] = context.cluster.living();
      const seeded = await startUntilAccepted(context, id, [first], LONG, 30_000);
      await sleep(2_000);
      const policies = ['restart', 'reject', 'attach'] as const;
      const answers = await context.recorder.burst(
        spread(context, 12, (i) => chaos(id, LONG, { onConflict: policies[i % 3] })),
      );
      const of = (policy: string) => answers.filter((a) => (a.onConflict ?? 'reject') === policy);
      // A start made past the starter (the extension's own API): the starter must refuse to start
      // over it, on every instance.
      const bypassed = `${context.tag}-f${round}-bypassed`;
      const direct = await context.recorder.startOutOfBand(
        { ...chaos(bypassed, LONG), instance: first },
        'started through the extension API, past the starter',
      );
      await sleep(1_000);
      const over = await context.recorder.burst(spread(context, 9, () => chaos(bypassed, LONG)));
      context.log(
        `f#${round}: restart ${statuses(of('restart'))}; reject ${statuses(of('reject'))}; attach ${statuses(of('attach'))}`,
      );
      results.push(
        expect(seeded !== undefined, `round ${round}: the first start was accepted`),
        expect(
          count(of('restart'), 202) >= 1,
          `round ${round}: a restart replaced the running instance (${statuses(of('restart'))})`,
        ),
        expect(
          of('reject').every((a) => a.status === 409 || a.status === 503),
          `round ${round}: rejects were refused (${statuses(of('reject'))})`,
        ),
        expect(
          direct === 202 && count(over, 202) === 0,
          `round ${round}: over a start made past the starter (${direct}), no 202 (${statuses(over)})`,
        ),
        expect(
          of('attach').every((a) => [200, 409, 503].includes(a.status)),
          `round ${round}: attaches attached, or found a start in progress (${statuses(of('attach'))})`,
        ),
      );
    }
    return results;
  },
};
