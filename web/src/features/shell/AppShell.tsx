import {
  BotIcon,
  BuildingIcon,
  ListChecksIcon,
  MessagesSquareIcon,
  PlugIcon,
  ScrollTextIcon,
  UsersIcon,
  type LucideIcon,
} from 'lucide-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation } from 'react-router';
import { isAdmin, isSupervisorOrAdmin, useAuth } from '@/auth/store';
import { Logo } from '@/components/Logo';
import { Tooltip } from '@/components/ui/tooltip';
import { cn } from '@/lib/utils';
import { useRealtimeConnection } from '@/realtime';
import { AlertToggles } from './AlertToggles';
import { ConnectionBadge } from './ConnectionBadge';
import { LanguageSwitch } from './LanguageSwitch';
import { usePresenceHeartbeat } from './presence';
import { PresenceSwitch } from './PresenceSwitch';
import { UserMenu } from './UserMenu';

/** `section`: other paths that belong to the same entry (the catalogs share one). */
type NavItem = { to: string; label: string; icon: LucideIcon; section?: string[] };

export function AppShell() {
  const { t } = useTranslation();
  const user = useAuth((state) => state.user);
  const { pathname } = useLocation();
  useRealtimeConnection();
  usePresenceHeartbeat();

  useEffect(() => {
    document.title = 'Nexus';
  }, []);

  const items: NavItem[] = [{ to: '/inbox', label: t('nav.inbox'), icon: MessagesSquareIcon }];
  if (isAdmin(user)) {
    items.push(
      { to: '/admin/users', label: t('nav.users'), icon: UsersIcon },
      { to: '/admin/departments', label: t('nav.departments'), icon: BuildingIcon },
      { to: '/admin/connections', label: t('admin.nav.connections'), icon: PlugIcon },
      {
        to: '/admin/quick-replies',
        label: t('admin.nav.catalog'),
        icon: ListChecksIcon,
        section: ['/admin/closing-reasons', '/admin/tags'],
      },
      { to: '/admin/settings', label: t('admin.nav.settings'), icon: BotIcon },
    );
  }
  if (isSupervisorOrAdmin(user)) items.push({ to: '/admin/audit', label: t('admin.nav.audit'), icon: ScrollTextIcon });
  // An admin's many entries show their names only on wide screens (a tooltip otherwise).
  const labelClass = items.length > 3 ? 'sr-only 2xl:not-sr-only' : 'sr-only lg:not-sr-only';

  return (
    <div className="flex h-dvh flex-col overflow-hidden">
      <a
        href="#main"
        className="sr-only z-50 rounded bg-card px-3 py-2 focus:not-sr-only focus:absolute focus:top-2 focus:left-2"
      >
        {t('shell.skipToContent')}
      </a>
      <header className="flex h-14 shrink-0 items-center gap-1 bg-header px-2 text-header-foreground sm:gap-2 sm:px-4">
        <NavLink to="/inbox" className="mr-1 flex items-center gap-2 rounded-md px-1 py-1 sm:mr-3">
          <Logo />
          <span className="hidden text-lg font-semibold tracking-tight sm:inline">Nexus</span>
          <span className="sr-only sm:hidden">Nexus</span>
        </NavLink>
        <nav aria-label={t('nav.main')} className="flex min-w-0 items-center gap-0.5 overflow-x-auto [scrollbar-width:none]">
          {items.map((item) => (
            <Tooltip key={item.to} content={item.label}>
              {/* A string className: the tooltip's Slot would mangle NavLink's function form. */}
              <NavLink
                to={item.to}
                className={cn(
                  'flex h-9 shrink-0 items-center gap-2 rounded-md px-2.5 text-sm font-medium text-header-foreground/85 hover:bg-white/15 hover:text-header-foreground',
                  [item.to, ...(item.section ?? [])].some((path) => pathname.startsWith(path)) &&
                    'bg-white/20 text-header-foreground',
                )}
              >
                <item.icon className="size-4.5" aria-hidden="true" />
                <span className={labelClass}>{item.label}</span>
              </NavLink>
            </Tooltip>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-0.5 sm:gap-1">
          <ConnectionBadge />
          <PresenceSwitch />
          <div className="hidden items-center gap-0.5 md:flex">
            <AlertToggles />
            <LanguageSwitch variant="header" />
          </div>
          <UserMenu />
        </div>
      </header>
      <main id="main" className="min-h-0 flex-1" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
