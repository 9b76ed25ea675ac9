import { checkListQuery, nextPageToken } from '../../../src/operations/listQuery';

const values =
  (query: string) =>
  (name: string): string[] =>
    new URLSearchParams(query).getAll(name);

describe('checkListQuery', () => {
  it('defaults to 50 a page and no filter', () => {
    expect(checkListQuery('job', values(''))).toStrictEqual({ ok: true, query: { top: 50 } });
    // An empty value is no value.
    expect(checkListQuery('job', values('prefix=&runtimeStatus=&top='))).toStrictEqual({
      ok: true,
      query: { top: 50 },
    });
  });

  it('reads every filter, statuses case-insensitively and once each, times as UTC', () => {
    expect(
      checkListQuery(
        'job',
        values(
          'prefix=tenant-42&runtimeStatus=running,PENDING,Running&createdFrom=2026-11-02&createdTo=2026-11-02T12:00:00%2B01:00&top=100',
        ),
      ),
    ).toEqual({
      ok: true,
      query: {
        prefix: 'tenant-42',
        runtimeStatus: ['Running', 'Pending'],
        createdFrom: '2026-11-02T00:00:00.000Z',
        createdTo: '2026-11-02T11:00:00.000Z',
        top: 100,
      },
    });
  });

  it.each([
    ['top=0', 'top'],
    ['top=101', 'top'],
    ['top=1e2', 'top'],
    ['top=-1', 'top'],
    ['runtimeStatus=Running,Sleeping', 'runtimeStatus'],
    ['runtimeStatus=Running,', 'runtimeStatus'],
    ['createdFrom=2026-13-01', 'createdFrom'],
    ['createdTo=Tuesday', 'createdTo'],
    ['createdFrom=2026-11-02T10:00', 'createdFrom'],
    ['prefix=a%23b', 'prefix'],
    ['prefix=%40entity', 'prefix'],
    ['prefix=a&prefix=b', 'prefix'],
    ['continuationToken=not-ours', 'continuationToken'],
  ])('refuses %s, naming %s and not the value', (query, parameter) => {
    const check = checkListQuery('job', values(query));
    expect(check).toMatchObject({ ok: false, parameter });
    const value = new URLSearchParams(query).get(parameter)!;
    if (value.length > 3 && !value.endsWith(','))
      expect(!check.ok && check.detail).not.toContain(value);
  });

  it('hands out a token that resumes only its own query, whatever the page size', () => {
    const asked = checkListQuery('Job', values('prefix=t&runtimeStatus=Running'));
    expect(asked.ok).toBe(true);
    const token = nextPageToken('Job', asked.ok ? asked.query : { top: 1 }, 'backend-token');
    expect(token).toBeDefined();
    const resumed = checkListQuery(
      'job',
      values(`prefix=t&runtimeStatus=running&top=7&continuationToken=${token}`),
    );
    expect(resumed).toEqual({
      ok: true,
      query: { prefix: 't', runtimeStatus: ['Running'], top: 7, continuation: 'backend-token' },
    });
    for (const other of ['prefix=u', 'prefix=t', 'prefix=t&runtimeStatus=Failed']) {
      expect(checkListQuery('job', values(`${other}&continuationToken=${token}`))).toMatchObject({
        ok: false,
        parameter: 'continuationToken',
      });
    }
    expect(
      checkListQuery(
        'otherJob',
        values(`prefix=t&runtimeStatus=Running&continuationToken=${token}`),
      ),
    ).toMatchObject({ ok: false });
  });

  it.each([
    ['top=1', { top: 1 }],
    ['top=100', { top: 100 }],
    [
      'runtimeStatus=%20failed%20,%20Completed',
      { runtimeStatus: ['Failed', 'Completed'], top: 50 },
    ],
    ['createdFrom=2026-11-02T10:00Z', { createdFrom: '2026-11-02T10:00:00.000Z', top: 50 }],
    [
      'createdFrom=2026-11-02T10:00:00.5-02:00',
      { createdFrom: '2026-11-02T12:00:00.500Z', top: 50 },
    ],
    [
      'createdFrom=2026-11-02&createdTo=2026-11-02',
      { createdFrom: '2026-11-02T00:00:00.000Z', createdTo: '2026-11-02T00:00:00.000Z', top: 50 },
    ],
  ])('accepts %s', (query, expected) => {
    const check = checkListQuery('job', values(query));
    expect(check).toStrictEqual({ ok: true, query: expected });
  });

  it('refuses a range that ends before it starts, naming createdTo', () => {
    expect(
      checkListQuery('job', values('createdFrom=2026-11-02T00:00:01Z&createdTo=2026-11-02')),
    ).toEqual({
      ok: false,
      parameter: 'createdTo',
      detail: 'createdTo must not be before createdFrom.',
    });
  });

  it('a bulk action lists only its statuses, and says so when refusing another', () => {
    const scope = { name: 'purge' as const, statuses: ['Completed', 'Failed'] as const };
    expect(
      checkListQuery('job', values(''), { ...scope, statuses: [...scope.statuses] }),
    ).toStrictEqual({
      ok: true,
      query: { runtimeStatus: ['Completed', 'Failed'], top: 50 },
    });
    expect(
      checkListQuery('job', values('runtimeStatus=Running'), {
        ...scope,
        statuses: [...scope.statuses],
      }),
    ).toEqual({
      ok: false,
      parameter: 'runtimeStatus',
      detail:
        'runtimeStatus must be a comma-separated list of Completed, Failed (the statuses purge acts on).',
    });
  });

  it('binds a token to the prefix and the time range too', () => {
    const query = { prefix: 't', createdFrom: '2026-11-01T00:00:00.000Z', top: 5 };
    const token = nextPageToken('job', query, 'next')!;
    const asked = (q: string) =>
      checkListQuery('job', values(`${q}&continuationToken=${token}`)).ok;
    expect(asked('prefix=t&createdFrom=2026-11-01')).toBe(true);
    expect(asked('prefix=u&createdFrom=2026-11-01')).toBe(false);
    expect(asked('prefix=t&createdFrom=2026-11-02')).toBe(false);
    expect(asked('prefix=t&createdFrom=2026-11-01&createdTo=2026-12-01')).toBe(false);
  });

  it('refuses a token that is ours in shape but empty, or of another version', () => {
    const forge = (t: unknown) => Buffer.from(JSON.stringify(t)).toString('base64url');
    const real = nextPageToken('job', { top: 5 }, 'next')!;
    const { q } = JSON.parse(Buffer.from(real, 'base64url').toString()) as { q: string };
    expect(
      checkListQuery('job', values(`continuationToken=${forge({ v: 1, q, c: 'next' })}`)).ok,
    ).toBe(true);
    for (const token of [
      { v: 2, q, c: 'next' },
      { v: 1, q, c: '' },
      { v: 1, q, c: 7 },
      { v: 1, q: 'x', c: 'n' },
    ]) {
      expect(checkListQuery('job', values(`continuationToken=${forge(token)}`)).ok).toBe(false);
    }
  });

  it('has no token after the last page', () => {
    expect(nextPageToken('job', { top: 5 }, undefined)).toBeUndefined();
  });
});
