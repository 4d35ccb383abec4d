import { WifiOffIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useRealtimeStatus } from '@/realtime/connection';

/** Says when live updates are off (socket down): the lists may be stale until it reconnects. */
export function ConnectionBadge() {
  const { t } = useTranslation();
  const status = useRealtimeStatus((state) => state.status);
  if (status !== 'disconnected') return null;
  return (
    <span
      role="status"
      className="flex items-center gap-1.5 rounded-md bg-amber-500/90 px-2 py-1 text-xs font-medium text-white"
      data-testid="realtime-offline"
    >
      <WifiOffIcon className="size-3.5" aria-hidden="true" />
      <span className="hidden sm:inline">{t('realtime.offline')}</span>
      <span className="sr-only sm:hidden">{t('realtime.offline')}</span>
    </span>
  );
}
