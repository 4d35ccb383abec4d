import { ScrollTextIcon, ShieldAlertIcon, ShieldCheckIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntryRead } from '@/client';
import { useAuditChain, useAuditLog, type AuditFilters } from '@/api/audit';
import { errorMessage } from '@/api/errorMessages';
import { useUsers } from '@/api/users';
import { isAdmin, useAuth } from '@/auth/store';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { formatDateTime } from '@/lib/format';
import { AdminPage } from './AdminPage';

/** The areas an action belongs to: the part of its name before the dot ("tag.create"). */
const AREAS = [
  'auth',
  'user',
  'department',
  'connection',
  'company',
  'quick_reply',
  'closing_reason',
  'tag',
  'contact',
  'conversation',
] as const;
type Area = (typeof AREAS)[number];
const ALL = 'all';

/** A local date (yyyy-mm-dd) as the start of that day, or of the next one, with its offset. */
function dayBound(value: string, endOfDay: boolean): string | undefined {
  if (!value) return undefined;
  const date = new Date(`${value}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (endOfDay) date.setDate(date.getDate() + 1);
  return date.toISOString();
}

function ChainBadge() {
  const { t } = useTranslation();
  const chain = useAuditChain();
  if (chain.isPending) {
    return (
      <Badge variant="muted">
        <Spinner className="size-3" />
        {t('admin.audit.verifying')}
      </Badge>
    );
  }
  if (chain.isError) return <Badge variant="warning">{t('admin.audit.verifyFailed')}</Badge>;
  const { intact, entries, broken_at: brokenAt } = chain.data;
  return intact ? (
    <Badge variant="success" className="text-sm" data-testid="audit-chain">
      <ShieldCheckIcon className="size-4" aria-hidden="true" />
      {t('admin.audit.intact', { count: entries })}
    </Badge>
  ) : (
    <Badge variant="destructive" className="text-sm" data-testid="audit-chain">
      <ShieldAlertIcon className="size-4" aria-hidden="true" />
      {t('admin.audit.broken', { sequence: brokenAt })}
    </Badge>
  );
}

function details(entry: AuditEntryRead): string {
  const pairs = Object.entries(entry.data ?? {}).map(
    ([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return pairs.join(' · ');
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const me = useAuth((state) => state.user);
  const admin = isAdmin(me);
  const [area, setArea] = useState<Area | typeof ALL>(ALL);
  const [actor, setActor] = useState<string>(ALL);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const users = useUsers();

  const filters: AuditFilters = {
    ...(area !== ALL ? { action: `${area}.` } : {}),
    ...(actor !== ALL ? { actor_id: actor } : {}),
    ...(since ? { since: dayBound(since, false) } : {}),
    ...(until ? { until: dayBound(until, true) } : {}),
  };
  const log = useAuditLog(filters);
  const entries = log.data?.pages.flatMap((page) => page.items) ?? [];

  useEffect(() => {
    document.title = `${t('admin.audit.title')} · Nexus`;
  }, [t]);

  let content;
  if (log.isPending) {
    content = (
      <div className="flex justify-center p-10" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (log.isError) {
    content = (
      <EmptyState
        icon={ScrollTextIcon}
        title={t('admin.audit.loadFailed')}
        description={errorMessage(t, log.error)}
        action={
          <Button variant="outline" onClick={() => void log.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else if (entries.length === 0) {
    content = <EmptyState icon={ScrollTextIcon} title={t('admin.audit.empty')} description={t('admin.audit.emptyHint')} />;
  } else {
    content = (
      <>
        <div className="overflow-x-auto rounded-lg border bg-card">
          <table className="w-full text-sm">
            <caption className="sr-only">{t('admin.audit.title')}</caption>
            <thead className="bg-muted text-left text-xs tracking-wide text-muted-foreground uppercase">
              <tr>
                <th scope="col" className="px-3 py-2.5 text-right font-medium">#</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t('admin.audit.when')}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t('admin.audit.who')}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t('admin.audit.action')}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t('admin.audit.details')}</th>
                <th scope="col" className="px-3 py-2.5 font-medium">{t('admin.audit.from')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.sequence} className="border-t align-top">
                  <td className="px-3 py-2 text-right text-xs text-muted-foreground tabular-nums">{entry.sequence}</td>
                  <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(entry.created_at, i18n.language)}</td>
                  <td className="max-w-48 truncate px-3 py-2" title={entry.actor_email ?? undefined}>
                    {entry.actor_email ?? t('admin.audit.system')}
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    <code className="rounded bg-muted px-1.5 py-0.5 text-xs">{entry.action}</code>
                  </td>
                  <td className="min-w-64 px-3 py-2 text-xs break-words text-muted-foreground">{details(entry) || '—'}</td>
                  <td className="px-3 py-2 text-xs whitespace-nowrap text-muted-foreground">{entry.ip_address ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {log.hasNextPage ? (
          <div className="flex justify-center">
            <Button variant="outline" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
              {log.isFetchingNextPage ? <Spinner /> : null}
              {t('admin.audit.loadMore')}
            </Button>
          </div>
        ) : null}
      </>
    );
  }

  return (
    <AdminPage title={t('admin.audit.title')} description={t('admin.audit.description')} action={admin ? <ChainBadge /> : null}>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" role="group" aria-label={t('admin.audit.filters')}>
        <div className="grid min-w-0 gap-1.5">
          <Label htmlFor="audit-area">{t('admin.audit.area')}</Label>
          <Select value={area} onValueChange={(value) => setArea(value as Area | typeof ALL)}>
            <SelectTrigger id="audit-area" className="min-w-0">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={ALL}>{t('admin.audit.allAreas')}</SelectItem>
              {AREAS.map((value) => (
                <SelectItem key={value} value={value}>
                  {t(`admin.audit.areas.${value}`)}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <div className="grid min-w-0 gap-1.5">
          <Label htmlFor="audit-actor">{t('admin.audit.who')}</Label>
          <Select value={actor} onValueChange={setActor}>
            <SelectTrigger id="audit-actor" className="min-w-0">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={ALL}>{t('admin.audit.anyone')}</SelectItem>
              {(users.data ?? []).map((user) => (
                <SelectItem key={user.id} value={user.id}>
                  {user.name}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <div className="grid min-w-0 gap-1.5">
          <Label htmlFor="audit-since">{t('admin.audit.since')}</Label>
          <Input id="audit-since" type="date" value={since} max={until || undefined} onChange={(event) => setSince(event.target.value)} />
        </div>
        <div className="grid min-w-0 gap-1.5">
          <Label htmlFor="audit-until">{t('admin.audit.until')}</Label>
          <Input id="audit-until" type="date" value={until} min={since || undefined} onChange={(event) => setUntil(event.target.value)} />
        </div>
      </div>
      {content}
    </AdminPage>
  );
}
