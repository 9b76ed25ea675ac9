import { checkListQuery, nextPageToken } from '../../../src/operations/listQuery';

const values =
  (query: string) =>
  (name: string): string[] =>
    new URLSearchParams(query).getAll(name);

describe('checkListQuery', () => {
  it('defaults to 50 a page and no filter', () => {
    expect(checkListQuery('job', values(''))).toEqual({ ok: true, query: { top: 50 } });
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

  it('has no token after the last page', () => {
    expect(nextPageToken('job', { top: 5 }, undefined)).toBeUndefined();
  });
});
