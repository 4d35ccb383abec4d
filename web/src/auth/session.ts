/**
 * The browser side of the session: login, silent refresh, logout, and keeping several tabs in
 * step.
 *
 * The refresh token is an HttpOnly cookie that the server rotates on every refresh, and a
 * refresh with an already-rotated token revokes the whole session (reuse detection). Tabs share
 * the cookie, so two tabs refreshing at once would sign everyone out. Hence:
 *  - in a tab, one refresh at a time: concurrent callers share the in-flight promise;
 *  - across tabs, refreshes run under a Web Lock ("nexus-auth-refresh"), and a tab that got
 *    the lock after another one refreshed takes the token that tab broadcast instead of
 *    refreshing again;
 *  - a BroadcastChannel tells every tab about a new token and about sign-out.
 */
import type { TokenResponse } from '@/client';
import { useAuth, type EndReason } from './store';

const REFRESH_URL = '/api/auth/refresh';
const LOGOUT_URL = '/api/auth/logout';
const LOCK_NAME = 'nexus-auth-refresh';
const CHANNEL_NAME = 'nexus-auth';
/** Refresh ahead of expiry by this much, so a request never leaves with a dying token. */
export const EXPIRY_MARGIN_MS = 30_000;

export type RefreshResult = 'ok' | 'expired' | 'error';

type AuthMessage =
  | { type: 'session'; session: TokenResponse }
  | { type: 'ended'; reason: Exclude<EndReason, null> };

let channel: BroadcastChannel | null = null;
let inflight: Promise<RefreshResult> | null = null;

function getChannel(): BroadcastChannel | null {
  if (channel || typeof BroadcastChannel === 'undefined') return channel;
  channel = new BroadcastChannel(CHANNEL_NAME);
  channel.onmessage = (event: MessageEvent<AuthMessage>) => {
    const message = event.data;
    if (message?.type === 'session') useAuth.getState().setSession(message.session);
    else if (message?.type === 'ended') useAuth.getState().clear(message.reason);
  };
  return channel;
}

/** Start listening to the other tabs (call once at start-up). */
export function connectTabs(): void {
  getChannel();
}

function broadcast(message: AuthMessage): void {
  try {
    getChannel()?.postMessage(message);
  } catch {
    // A closed channel (tests, page unloading) is not worth failing a sign-in for.
  }
}

export function tokenIsFresh(now = Date.now()): boolean {
  const { accessToken, expiresAt } = useAuth.getState();
  return Boolean(accessToken && expiresAt && expiresAt - now > EXPIRY_MARGIN_MS);
}

/** Adopt a session answered by login/signup/refresh, here and in the other tabs. */
export function applySession(session: TokenResponse): void {
  useAuth.getState().setSession(session);
  broadcast({ type: 'session', session });
}

/** End the session locally (after logout, or when the server says it is over). */
export function endSession(reason: Exclude<EndReason, null>, tellOtherTabs = true): void {
  useAuth.getState().clear(reason);
  if (tellOtherTabs) broadcast({ type: 'ended', reason });
}

async function withRefreshLock<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (locks?.request) return locks.request(LOCK_NAME, { mode: 'exclusive' }, run) as Promise<T>;
  return run();
}

async function refreshUnderLock(tokenBefore: string | null): Promise<RefreshResult> {
  // Another tab refreshed while we waited for the lock: its token reached us by broadcast.
  const { accessToken } = useAuth.getState();
  if (accessToken && accessToken !== tokenBefore && tokenIsFresh()) return 'ok';

  let response: Response;
  try {
    response = await fetch(REFRESH_URL, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
  } catch {
    return 'error';
  }
  if (response.ok) {
    applySession((await response.json()) as TokenResponse);
    return 'ok';
  }
  if (response.status === 401) {
    // No cookie, or the session was revoked/expired: only a new sign-in helps.
    if (useAuth.getState().status === 'authenticated') endSession('expired');
    else useAuth.getState().clear(null); // page load without a session: just the login page
    return 'expired';
  }
  return 'error';
}

/** Exchange the refresh cookie for a new access token. Concurrent calls share one request. */
export function refreshSession(): Promise<RefreshResult> {
  if (!inflight) {
    const tokenBefore = useAuth.getState().accessToken;
    inflight = withRefreshLock(() => refreshUnderLock(tokenBefore)).finally(() => {
      inflight = null;
    });
  }
  return inflight;
}

/** On page load: resume the session from the cookie, if there is one. */
export async function bootstrapSession(): Promise<void> {
  connectTabs();
  const result = await refreshSession();
  // A network failure at start-up: show the login page rather than spin forever; the cookie
  // is still there for the next attempt.
  if (result === 'error' && useAuth.getState().status === 'loading') useAuth.getState().clear(null);
}

export async function logout(): Promise<void> {
  try {
    await fetch(LOGOUT_URL, { method: 'POST', credentials: 'same-origin' });
  } catch {
    // Signing out locally still matters when the server cannot be reached.
  }
  endSession('signed-out');
}

/** For tests: forget module state between cases. */
export function resetSessionModule(): void {
  inflight = null;
  channel?.close();
  channel = null;
}
