import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authFetch } from '@/api/http';
import { loadDraft, saveDraft } from '@/stores/drafts';
import { apiError, authHeader, json, pathOf, session } from '@/test/utils';
import { bootstrapSession, logout, refreshSession, resetSessionModule } from './session';
import { useAuth } from './store';

const fetchMock = vi.fn<typeof fetch>();

beforeEach(() => {
  resetSessionModule();
  useAuth.setState({ status: 'loading', accessToken: null, expiresAt: null, user: null, endReason: null });
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('session bootstrap', () => {
  it('resumes the session from the refresh cookie', async () => {
    fetchMock.mockResolvedValueOnce(json(session('first')));
    await bootstrapSession();
    const state = useAuth.getState();
    expect(state.status).toBe('authenticated');
    expect(state.user?.email).toBe('admin@demo.nexus');
    expect(pathOf(fetchMock.mock.calls[0]![0])).toBe('/api/auth/refresh');
  });

  it('shows the login page, without an "expired" notice, when there is no session', async () => {
    fetchMock.mockResolvedValueOnce(apiError(401, 'no_refresh_token', 'No session.'));
    await bootstrapSession();
    expect(useAuth.getState()).toMatchObject({ status: 'anonymous', endReason: null });
  });

  it('does not spin forever when the server cannot be reached', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await bootstrapSession();
    expect(useAuth.getState().status).toBe('anonymous');
  });
});

describe('authFetch', () => {
  beforeEach(() => {
    useAuth.getState().setSession(session('old'));
  });

  it('sends the access token', async () => {
    fetchMock.mockResolvedValueOnce(json([]));
    await authFetch(new Request('http://localhost/api/users'));
    expect(authHeader(fetchMock.mock.calls[0]![0])).toBe(`Bearer ${useAuth.getState().accessToken}`);
  });

  it('refreshes once for concurrent 401s and retries each request with the new token', async () => {
    const fresh = session('new');
    fetchMock.mockImplementation(async (input) => {
      const path = pathOf(input);
      if (path === '/api/auth/refresh') return json(fresh);
      return authHeader(input) === `Bearer ${fresh.access_token}`
        ? json({ ok: path })
        : apiError(401, 'token_expired', 'Expired.');
    });

    const responses = await Promise.all([
      authFetch(new Request('http://localhost/api/users')),
      authFetch(new Request('http://localhost/api/departments')),
      authFetch(new Request('http://localhost/api/conversations', { method: 'POST', body: '{"a":1}' })),
    ]);

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    const refreshes = fetchMock.mock.calls.filter(([input]) => pathOf(input) === '/api/auth/refresh');
    expect(refreshes).toHaveLength(1);
    // The retried POST still carries its body.
    const retriedPost = fetchMock.mock.calls
      .map(([input]) => input as Request)
      .filter((request) => pathOf(request) === '/api/conversations')
      .at(-1)!;
    expect(await retriedPost.text()).toBe('{"a":1}');
  });

  it('refreshes before sending when the token is about to expire', async () => {
    useAuth.getState().setSession(session('dying', 10)); // inside the 30 s margin
    const fresh = session('new');
    fetchMock.mockImplementation(async (input) =>
      pathOf(input) === '/api/auth/refresh' ? json(fresh) : json([]),
    );
    await authFetch(new Request('http://localhost/api/users'));
    expect(fetchMock.mock.calls.map(([input]) => pathOf(input))).toEqual(['/api/auth/refresh', '/api/users']);
    expect(authHeader(fetchMock.mock.calls[1]![0])).toBe(`Bearer ${fresh.access_token}`);
  });

  it('ends the session as "expired" when the refresh is refused, keeping the drafts', async () => {
    saveDraft('conversation-1', 'half-written answer');
    fetchMock.mockImplementation(async (input) =>
      pathOf(input) === '/api/auth/refresh'
        ? apiError(401, 'session_expired', 'The session has ended; sign in again.')
        : apiError(401, 'token_expired', 'Expired.'),
    );
    const response = await authFetch(new Request('http://localhost/api/users'));
    expect(response.status).toBe(401);
    expect(useAuth.getState()).toMatchObject({ status: 'anonymous', endReason: 'expired', accessToken: null });
    expect(loadDraft('conversation-1')).toBe('half-written answer');
  });

  it('does not touch session endpoints (no token, no retry)', async () => {
    fetchMock.mockResolvedValueOnce(apiError(401, 'invalid_credentials', 'Invalid e-mail or password.'));
    const response = await authFetch(new Request('http://localhost/api/auth/login', { method: 'POST', body: '{}' }));
    expect(response.status).toBe(401);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(authHeader(fetchMock.mock.calls[0]![0])).toBeNull();
  });
});

describe('refresh across tabs', () => {
  it('runs under a Web Lock and skips the refresh when another tab refreshed meanwhile', async () => {
    useAuth.getState().setSession(session('old'));
    let release!: () => void;
    const lockFree = new Promise<void>((resolve) => (release = resolve));
    const request = vi.fn(async (_name: string, _options: unknown, callback: () => Promise<unknown>) => {
      await lockFree; // another tab holds the lock
      return callback();
    });
    vi.stubGlobal('navigator', { ...navigator, locks: { request } });

    const pending = refreshSession();
    // While we wait, the other tab refreshes and broadcasts its new token.
    useAuth.getState().setSession(session('from-other-tab'));
    release();

    await expect(pending).resolves.toBe('ok');
    expect(request).toHaveBeenCalledWith('nexus-auth-refresh', { mode: 'exclusive' }, expect.any(Function));
    expect(fetchMock).not.toHaveBeenCalled(); // no second rotation, so no reuse detection
  });

  it('tells other tabs about a new session and about sign-out', async () => {
    const other = new BroadcastChannel('nexus-auth');
    const received: unknown[] = [];
    other.onmessage = (event) => received.push(event.data);

    useAuth.getState().setSession(session('old'));
    fetchMock.mockResolvedValueOnce(json(session('new')));
    await refreshSession();
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await logout();
    await vi.waitFor(() => expect(received).toHaveLength(2));
    other.close();

    expect(received[0]).toMatchObject({ type: 'session' });
    expect(received[1]).toEqual({ type: 'ended', reason: 'signed-out' });
    expect(useAuth.getState()).toMatchObject({ status: 'anonymous', endReason: 'signed-out' });
  });
});
