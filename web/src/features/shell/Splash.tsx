import { useTranslation } from 'react-i18next';
import { Spinner } from '@/components/Spinner';

/** While the session is being resumed or a page's code is loading. */
export function Splash() {
  const { t } = useTranslation();
  return (
    <div className="flex h-full items-center justify-center" role="status">
      <Spinner className="size-6 text-primary" />
      <span className="sr-only">{t('common.loading')}</span>
    </div>
  );
}
