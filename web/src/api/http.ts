/**
 * The one configured HTTP client. Every generated SDK call (src/client) goes through
 * `authFetch`, which adds the access token, refreshes it shortly before it expires, and on a
 * 401 refreshes once and retries. Failed calls throw an `ApiError`.
 */
import { client } from '@/client/client.gen';
import { refreshSession, tokenIsFresh } from '@/auth/session';
import { useAuth } from '@/auth/store';
import { toApiError } from './errors';

const SESSION_PATHS = ['/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/signup'];

function isSessionEndpoint(url: string): boolean {
  const path = new URL(url, 'http://localhost').pathname;
  return SESSION_PATHS.includes(path);
}

function withToken(request: Request): Request {
  const token = useAuth.getState().accessToken;
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

export async function authFetch(resource: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const input = resource instanceof Request && !init ? resource : new Request(resource, init);
  if (isSessionEndpoint(input.url)) return fetch(input);

  const { status, accessToken } = useAuth.getState();
  if (status === 'authenticated' && accessToken && !tokenIsFresh()) await refreshSession();

  // Keep an unread copy: a body can be sent only once, and we may need to retry.
  const retryCopy = input.clone();
  const response = await fetch(withToken(input));
  if (response.status !== 401 || useAuth.getState().status !== 'authenticated') return response;

  const result = await refreshSession();
  if (result !== 'ok') return response;
  return fetch(withToken(retryCopy));
}

let configured = false;

export function configureApiClient(): void {
  if (configured) return;
  configured = true;
  client.setConfig({ baseUrl: '', fetch: authFetch, credentials: 'same-origin' });
  client.interceptors.error.use((error, response) => toApiError(error, response));
}

export { client };
