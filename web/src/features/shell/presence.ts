import { useEffect } from 'react';
import type { PresenceStatus } from '@/client';
import { useAuth } from '@/auth/store';
import { realtime } from '@/realtime';

export const PRESENCE_STATUSES: PresenceStatus[] = ['online', 'busy', 'offline'];
export const HEARTBEAT_MS = 30_000;

export const presenceDot: Record<PresenceStatus, string> = {
  online: 'bg-green-500',
  busy: 'bg-amber-500',
  offline: 'bg-slate-400',
};

/**
 * While the agent is online or busy, tell the server every 30 s over the socket that this
 * browser is still there (the server sets silent agents offline after the company's heartbeat
 * timeout and redistributes their conversations). A beat missed while the socket is down is
 * made up by the next one; the reconnect itself counts as presence.
 */
export function usePresenceHeartbeat(): void {
  const presence = useAuth((state) => state.user?.presence);
  useEffect(() => {
    if (presence !== 'online' && presence !== 'busy') return;
    const timer = window.setInterval(() => realtime()?.heartbeat(), HEARTBEAT_MS);
    return () => window.clearInterval(timer);
  }, [presence]);
}
