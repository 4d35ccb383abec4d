import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { isAdmin, isSupervisorOrAdmin, useAuth } from '@/auth/store';
import { Splash } from '../shell/Splash';

/** Only for a signed-in user; otherwise to /login, remembering where to come back to. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const status = useAuth((state) => state.status);
  const location = useLocation();
  if (status === 'loading') return <Splash />;
  if (status === 'anonymous') {
    const next = location.pathname + location.search;
    const search = next && next !== '/' ? `?next=${encodeURIComponent(next)}` : '';
    return <Navigate to={`/login${search}`} replace />;
  }
  return children;
}

export function RequireAdmin() {
  const user = useAuth((state) => state.user);
  if (!isAdmin(user)) return <Navigate to="/inbox" replace />;
  return <Outlet />;
}

/** Supervisors and admins (the audit log); agents go back to the inbox. */
export function RequireSupervisor() {
  const user = useAuth((state) => state.user);
  if (!isSupervisorOrAdmin(user)) return <Navigate to="/inbox" replace />;
  return <Outlet />;
}
