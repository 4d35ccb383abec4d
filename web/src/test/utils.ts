import type { TokenResponse, UserRead } from '@/client';

export const demoUser: UserRead = {
  id: '00000000-0000-4000-8000-000000000001',
  company_id: '00000000-0000-4000-8000-0000000000c0',
  email: 'admin@demo.nexus',
  name: 'Ana Admin',
  role: 'admin',
  is_active: true,
  locale: 'pt-BR',
  max_conversations: 5,
  presence: 'online',
  last_heartbeat_at: null,
  created_at: '2026-01-01T00:00:00Z',
  departments: [],
};

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A JWT-shaped token (unsigned: the client never verifies it) valid for `seconds`. */
export function fakeToken(name: string, seconds = 900): string {
  const iat = 1_800_000_000;
  return `${base64url({ alg: 'HS256' })}.${base64url({ sub: name, iat, exp: iat + seconds })}.sig`;
}

export function session(name: string, seconds = 900, user: UserRead = demoUser): TokenResponse {
  return {
    access_token: fakeToken(name, seconds),
    token_type: 'bearer',
    expires_at: new Date(Date.now() + seconds * 1000).toISOString(),
    user,
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(status: number, code: string, message: string, details: unknown = null, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message, details } }, status, headers);
}

/** The URL path of whatever fetch was called with. */
export function pathOf(input: unknown): string {
  const url = input instanceof Request ? input.url : String(input);
  return new URL(url, 'http://localhost').pathname;
}

export function authHeader(input: unknown): string | null {
  return input instanceof Request ? input.headers.get('Authorization') : null;
}
