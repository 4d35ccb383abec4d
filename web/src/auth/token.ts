/** When an access token stops being valid, on this browser's clock.
 *
 *  The server gives `expires_at` on its own clock; a client clock that is off would make every
 *  request look expired (or never). The JWT's own `iat`/`exp` give its lifetime on the
 *  server's clock, which we add to the moment we received it. */
export function localExpiry(accessToken: string, expiresAt: string, receivedAt: number): number {
  const lifetime = jwtLifetimeSeconds(accessToken);
  if (lifetime !== null) return receivedAt + lifetime * 1000;
  const parsed = Date.parse(expiresAt);
  return Number.isNaN(parsed) ? receivedAt + 60_000 : parsed;
}

function jwtLifetimeSeconds(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      iat?: unknown;
      exp?: unknown;
    };
    if (typeof json.iat === 'number' && typeof json.exp === 'number' && json.exp > json.iat) {
      return json.exp - json.iat;
    }
  } catch {
    // Not a JWT we can read: fall back to expires_at.
  }
  return null;
}
