import { useQueryClient } from '@tanstack/react-query';
import { ChevronDownIcon, LogOutIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { setMyPresence } from '@/api/users';
import { logout } from '@/auth/session';
import { useAuth } from '@/auth/store';
import { PersonAvatar } from '@/components/ui/avatar';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { LANGUAGES, setLanguage } from '@/i18n';
import { useAlertToggles } from './AlertToggles';

export function UserMenu() {
  const { t, i18n } = useTranslation();
  const user = useAuth((state) => state.user);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const alerts = useAlertToggles();
  if (!user) return null;

  async function signOut() {
    // Leave the queue at once rather than after the server's heartbeat timeout.
    if (user && user.presence !== 'offline') await setMyPresence('offline').catch(() => undefined);
    await logout();
    queryClient.clear();
    navigate('/login', { replace: true });
  }

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className="flex items-center gap-2 rounded-md px-1.5 py-1 text-left text-header-foreground hover:bg-white/15"
        aria-label={t('shell.userMenu', { name: user.name })}
        data-testid="user-menu"
      >
        <PersonAvatar name={user.name} className="size-8 text-xs" />
        <span className="hidden min-w-0 flex-col leading-tight md:flex">
          <span className="max-w-40 truncate text-sm font-medium">{user.name}</span>
          <span className="text-xs opacity-80">{t(`roles.${user.role}`)}</span>
        </span>
        <ChevronDownIcon className="hidden size-4 opacity-80 md:block" aria-hidden="true" />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuLabel className="font-normal">
          <span className="block truncate font-medium">{user.name}</span>
          <span className="block truncate text-xs text-muted-foreground">{user.email}</span>
          <span className="block text-xs text-muted-foreground">{t(`roles.${user.role}`)}</span>
        </DropdownMenuLabel>
        {/* On a phone the header has no room for these: they live here. */}
        <DropdownMenuGroup className="md:hidden">
          <DropdownMenuSeparator />
          <DropdownMenuCheckboxItem
            checked={alerts.desktop}
            onCheckedChange={() => void alerts.toggleDesktop()}
            onSelect={(event) => event.preventDefault()}
          >
            {t('shell.notifications')}
          </DropdownMenuCheckboxItem>
          <DropdownMenuCheckboxItem
            checked={alerts.sound}
            onCheckedChange={alerts.toggleSound}
            onSelect={(event) => event.preventDefault()}
          >
            {t('shell.sound')}
          </DropdownMenuCheckboxItem>
          <DropdownMenuSeparator />
          <DropdownMenuLabel className="text-xs text-muted-foreground">
            {t('shell.chooseLanguage')}
          </DropdownMenuLabel>
          <DropdownMenuRadioGroup value={i18n.language} onValueChange={(code) => setLanguage(code)}>
            {LANGUAGES.map((language) => (
              <DropdownMenuRadioItem key={language.code} value={language.code} lang={language.code}>
                {language.label}
              </DropdownMenuRadioItem>
            ))}
          </DropdownMenuRadioGroup>
        </DropdownMenuGroup>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => void signOut()}>
          <LogOutIcon aria-hidden="true" />
          {t('shell.signOut')}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
