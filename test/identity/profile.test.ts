import { resolveProfile, type IdentityKey } from '../../src/identity';
import { MemoryStore } from '../../src/store';

describe('resolveProfile', () => {
  it('returns a lone id as its own target', async () => {
    expect(await resolveProfile('anon:a1', new MemoryStore())).toEqual({
      keys: ['anon:a1'],
      target: 'anon:a1',
    });
  });

  it('walks links transitively and targets the userId', async () => {
    const store = new MemoryStore();
    await store.link({
      from: 'anon:a1',
      to: 'user:u1',
      primary: 'user:u1',
      timestamp: '2026-01-01T00:00:00.000Z',
    });
    await store.link({
      from: 'anon:a2',
      to: 'user:u1',
      primary: 'user:u1',
      timestamp: '2026-01-02T00:00:00.000Z',
    });
    const profile = await resolveProfile('anon:a2', store);
    expect(profile).toEqual({ keys: ['anon:a1', 'anon:a2', 'user:u1'], target: 'user:u1' });
  });

  it('targets the userId an alias points to, from either side', async () => {
    const store = new MemoryStore();
    await store.link({
      from: 'anon:a1',
      to: 'user:old',
      primary: 'user:old',
      timestamp: '2026-01-01T00:00:00.000Z',
    });
    await store.link({
      from: 'user:old',
      to: 'user:new',
      primary: 'user:new',
      timestamp: '2026-02-01T00:00:00.000Z',
    });
    for (const start of ['anon:a1', 'user:old', 'user:new'] as IdentityKey[]) {
      expect((await resolveProfile(start, store)).target).toBe('user:new');
    }
  });
});
