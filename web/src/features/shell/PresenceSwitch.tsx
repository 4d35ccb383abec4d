import { useTranslation } from 'react-i18next';
import type { PresenceStatus } from '@/client';
import { toastError } from '@/api/errorMessages';
import { useSetMyPresence } from '@/api/users';
import { useAuth } from '@/auth/store';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { cn } from '@/lib/utils';
import { presenceDot, PRESENCE_STATUSES } from './presence';

export function PresenceSwitch() {
  const { t } = useTranslation();
  const presence = useAuth((state) => state.user?.presence ?? 'offline');
  const mutation = useSetMyPresence();
  // Show the choice at once; the server's answer confirms it.
  const shown: PresenceStatus = mutation.isPending && mutation.variables ? mutation.variables : presence;

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="header"
          size="sm"
          aria-label={t('presence.label', { status: t(`presence.${shown}`) })}
          data-testid="presence-switch"
        >
          <span
            className={cn('size-2.5 rounded-full ring-2 ring-white/70', presenceDot[shown])}
            aria-hidden="true"
          />
          <span className="hidden sm:inline">{t(`presence.${shown}`)}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{t('presence.title')}</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={shown}
          onValueChange={(value) =>
            mutation.mutate(value as PresenceStatus, {
              onError: (error) => toastError(t, error, t('presence.failed')),
            })
          }
        >
          {PRESENCE_STATUSES.map((status) => (
            <DropdownMenuRadioItem key={status} value={status}>
              <span className={cn('size-2.5 rounded-full', presenceDot[status])} aria-hidden="true" />
              {t(`presence.${status}`)}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
