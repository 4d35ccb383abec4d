import { create } from 'zustand';
import type { TokenResponse, UserRead } from '@/client';
import { localExpiry } from './token';

export type SessionStatus = 'loading' | 'authenticated' | 'anonymous';
/** Why the session ended: shown on the login page. */
export type EndReason = 'expired' | 'signed-out' | null;

type AuthState = {
  status: SessionStatus;
  /** Kept in memory only: never in localStorage, where any script could read it. */
  accessToken: string | null;
  /** Local clock, ms. */
  expiresAt: number | null;
  user: UserRead | null;
  endReason: EndReason;
  setSession: (session: TokenResponse, receivedAt?: number) => void;
  setUser: (user: UserRead) => void;
  clear: (reason: EndReason) => void;
};

export const useAuth = create<AuthState>((set) => ({
  status: 'loading',
  accessToken: null,
  expiresAt: null,
  user: null,
  endReason: null,
  setSession: (session, receivedAt = Date.now()) =>
    set({
      status: 'authenticated',
      accessToken: session.access_token,
      expiresAt: localExpiry(session.access_token, session.expires_at, receivedAt),
      user: session.user,
      endReason: null,
    }),
  setUser: (user) => set({ user }),
  clear: (reason) =>
    set({ status: 'anonymous', accessToken: null, expiresAt: null, user: null, endReason: reason }),
}));

export const isAdmin = (user: UserRead | null) => user?.role === 'admin';
export const isSupervisorOrAdmin = (user: UserRead | null) =>
  user?.role === 'admin' || user?.role === 'supervisor';
