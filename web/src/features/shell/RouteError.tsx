import { TriangleAlertIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '@/components/EmptyState';
import { Button } from '@/components/ui/button';

/** A render error or a failed lazy chunk (often: a new version was deployed). */
export function RouteError() {
  const { t } = useTranslation();
  return (
    <EmptyState
      icon={TriangleAlertIcon}
      title={t('routeError.title')}
      description={t('routeError.description')}
      action={<Button onClick={() => window.location.reload()}>{t('routeError.reload')}</Button>}
    />
  );
}
