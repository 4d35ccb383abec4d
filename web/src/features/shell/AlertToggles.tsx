import { BellIcon, BellOffIcon, Volume2Icon, VolumeXIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { Tooltip } from '@/components/ui/tooltip';
import { enableDesktopNotifications, usePreferences } from '@/stores/preferences';

export function useAlertToggles() {
  const { t } = useTranslation();
  const desktop = usePreferences((state) => state.desktopNotifications);
  const sound = usePreferences((state) => state.sound);
  const setDesktop = usePreferences((state) => state.setDesktopNotifications);
  const setSound = usePreferences((state) => state.setSound);

  async function toggleDesktop() {
    if (desktop) {
      setDesktop(false);
      return;
    }
    const result = await enableDesktopNotifications();
    if (result === 'denied') toast.error(t('shell.notificationsDenied'));
    if (result === 'unsupported') toast.error(t('shell.notificationsUnsupported'));
  }

  return { desktop, sound, toggleDesktop, toggleSound: () => setSound(!sound) };
}

/** Desktop-notification and sound switches, as header buttons. */
export function AlertToggles() {
  const { t } = useTranslation();
  const { desktop, sound, toggleDesktop, toggleSound } = useAlertToggles();
  const desktopLabel = desktop ? t('shell.notificationsOn') : t('shell.notificationsOff');
  const soundLabel = sound ? t('shell.soundOn') : t('shell.soundOff');
  return (
    <>
      <Tooltip content={desktopLabel}>
        <Button
          variant="header"
          size="icon-sm"
          aria-label={t('shell.notifications')}
          aria-pressed={desktop}
          onClick={() => void toggleDesktop()}
        >
          {desktop ? <BellIcon aria-hidden="true" /> : <BellOffIcon aria-hidden="true" />}
        </Button>
      </Tooltip>
      <Tooltip content={soundLabel}>
        <Button
          variant="header"
          size="icon-sm"
          aria-label={t('shell.sound')}
          aria-pressed={sound}
          onClick={toggleSound}
        >
          {sound ? <Volume2Icon aria-hidden="true" /> : <VolumeXIcon aria-hidden="true" />}
        </Button>
      </Tooltip>
    </>
  );
}
