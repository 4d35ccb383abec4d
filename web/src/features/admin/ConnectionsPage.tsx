import {
  ExternalLinkIcon,
  LogOutIcon,
  PencilIcon,
  PlayIcon,
  PlusIcon,
  SmartphoneIcon,
  SquareIcon,
  Trash2Icon,
  UnplugIcon,
} from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionAdminRead, ConnectionRead, ConnectionStatus } from '@/client';
import {
  useConnection,
  useConnectionQr,
  useDeleteConnection,
  useSessionAction,
  type SessionAction,
} from '@/api/connections';
import { errorMessage, toastError } from '@/api/errorMessages';
import { useConnections } from '@/api/reference';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { Badge, type BadgeProps } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { AdminPage } from './AdminPage';
import { ConnectionFormDialog } from './ConnectionFormDialog';
import { hasGatewaySession, sandboxPhoneUrl } from './connectionFields';
import { CopyField } from './CopyField';

const statusVariant: Record<ConnectionStatus, NonNullable<BadgeProps['variant']>> = {
  connected: 'success',
  starting: 'warning',
  qr: 'warning',
  disconnected: 'destructive',
  failed: 'destructive',
  stopped: 'muted',
};

/** Which session actions make sense in each status (stop and logout: gateways only). */
const actionsFor: Record<ConnectionStatus, SessionAction[]> = {
  stopped: ['start'],
  failed: ['start'],
  disconnected: ['start', 'logout'],
  starting: ['stop'],
  qr: ['stop'],
  connected: ['stop', 'logout'],
};

const actionIcon = { start: PlayIcon, stop: SquareIcon, logout: LogOutIcon };

function ConnectionCard({
  summary,
  onEdit,
  onDelete,
}: {
  summary: ConnectionRead;
  onEdit: (connection: ConnectionAdminRead) => void;
  onDelete: (connection: ConnectionRead) => void;
}) {
  const { t } = useTranslation();
  const detail = useConnection(summary.id);
  const session = useSessionAction();
  const connection = detail.data;
  const status = connection?.status ?? summary.status;
  const reason = connection?.status_reason ?? summary.status_reason;
  const gateway = hasGatewaySession(summary.channel);
  const live = useConnectionQr(summary.id, gateway && status === 'qr');
  const qrCode = live.data?.qr_code ?? connection?.qr_code;
  const actions = actionsFor[status].filter(
    (action) => summary.channel !== 'sandbox' && (action === 'start' || gateway),
  );
  const headingId = `connection-${summary.id}`;

  function run(action: SessionAction) {
    session.mutate(
      { id: summary.id, action },
      {
        onSuccess: () => toast.success(t(`admin.connections.${action}Done`, { name: summary.name })),
        onError: (error) => toastError(t, error, t(`admin.connections.${action}Failed`)),
      },
    );
  }

  return (
    <li aria-labelledby={headingId} className="flex flex-col gap-3 rounded-lg border bg-card p-4">
      <div className="flex items-start gap-2">
        <h2 id={headingId} className="min-w-0 flex-1 truncate pt-1 font-semibold" title={summary.name}>
          {summary.name}
        </h2>
        <div className="-mr-2 flex shrink-0">
          <Button
            variant="ghost"
            size="icon-sm"
            disabled={!connection}
            aria-label={t('admin.connections.edit', { name: summary.name })}
            onClick={() => connection && onEdit(connection)}
          >
            <PencilIcon aria-hidden="true" />
          </Button>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={t('admin.connections.delete', { name: summary.name })}
            onClick={() => onDelete(summary)}
          >
            <Trash2Icon aria-hidden="true" />
          </Button>
        </div>
      </div>
      <div className="-mt-2 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
        {/* Announced when it changes: the status is what the admin waits for. */}
        <span role="status" aria-live="polite">
          <Badge variant={statusVariant[status]}>
            {status === 'starting' ? <Spinner className="size-3" /> : null}
            {t(`admin.connections.status.${status}`)}
          </Badge>
        </span>
        <span>{t(`admin.connections.channels.${summary.channel}`)}</span>
        {connection?.phone_number ?? summary.phone_number ? (
          <span>· {connection?.phone_number ?? summary.phone_number}</span>
        ) : null}
        {summary.is_default ? <Badge variant="outline">{t('admin.connections.default')}</Badge> : null}
      </div>
      {reason && (status === 'failed' || status === 'disconnected') ? (
        <p className="rounded-md bg-red-50 px-3 py-2 text-xs text-red-900">{reason}</p>
      ) : null}
      {gateway && status === 'qr' ? (
        <div className="flex flex-col items-center gap-2 rounded-md border border-dashed p-3 text-center">
          {qrCode ? (
            <img
              src={qrCode}
              alt={t('admin.connections.qrAlt', { name: summary.name })}
              className="size-56 max-w-full rounded bg-white p-1"
            />
          ) : (
            <Spinner className="m-10 size-6 text-primary" />
          )}
          <p className="text-xs text-muted-foreground">{t('admin.connections.qrHint')}</p>
        </div>
      ) : null}
      {connection ? (
        <div className="grid gap-2">
          <CopyField label={t('admin.connections.webhookUrl')} value={connection.webhook_url} />
          <CopyField label={t('admin.connections.verifyToken')} value={connection.verify_token} />
        </div>
      ) : detail.isError ? (
        <p className="text-xs text-destructive">{errorMessage(t, detail.error)}</p>
      ) : (
        <Spinner className="size-4 text-primary" />
      )}
      {actions.length > 0 || (summary.channel === 'sandbox' && connection) ? (
        <div className="mt-auto flex flex-wrap gap-2">
          {actions.map((action) => {
            const Icon = actionIcon[action];
            return (
              <Button
                key={action}
                size="sm"
                variant={action === 'start' ? 'default' : 'outline'}
                disabled={session.isPending}
                onClick={() => run(action)}
              >
                <Icon aria-hidden="true" />
                {t(`admin.connections.${action}`)}
              </Button>
            );
          })}
          {summary.channel === 'sandbox' && connection ? (
            <Button size="sm" variant="outline" asChild>
              <a href={sandboxPhoneUrl(connection.webhook_url, connection.verify_token)} target="_blank" rel="noreferrer">
                <SmartphoneIcon aria-hidden="true" />
                {t('admin.connections.openSandbox')}
                <ExternalLinkIcon className="size-3.5 opacity-70" aria-hidden="true" />
              </a>
            </Button>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

export function ConnectionsPage() {
  const { t } = useTranslation();
  const connections = useConnections();
  const remove = useDeleteConnection();
  const [editing, setEditing] = useState<{ connection: ConnectionAdminRead | null } | null>(null);
  const [deleting, setDeleting] = useState<ConnectionRead | null>(null);

  useEffect(() => {
    document.title = `${t('admin.connections.title')} · Nexus`;
  }, [t]);

  function confirmDelete() {
    if (!deleting) return;
    const { name } = deleting;
    remove.mutate(deleting.id, {
      onSuccess: () => toast.success(t('admin.connections.deleted', { name })),
      onError: (error) => toastError(t, error, t('admin.connections.deleteFailed')),
      onSettled: () => setDeleting(null),
    });
  }

  let content;
  if (connections.isPending) {
    content = (
      <div className="flex justify-center p-10" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (connections.isError) {
    content = (
      <EmptyState
        icon={UnplugIcon}
        title={t('admin.connections.loadFailed')}
        description={errorMessage(t, connections.error)}
        action={
          <Button variant="outline" onClick={() => void connections.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else if (connections.data.length === 0) {
    content = (
      <EmptyState icon={UnplugIcon} title={t('admin.connections.empty')} description={t('admin.connections.emptyHint')} />
    );
  } else {
    content = (
      <ul className="grid gap-3 md:grid-cols-2" aria-label={t('admin.connections.title')}>
        {connections.data.map((summary) => (
          <ConnectionCard
            key={summary.id}
            summary={summary}
            onEdit={(connection) => setEditing({ connection })}
            onDelete={setDeleting}
          />
        ))}
      </ul>
    );
  }

  return (
    <AdminPage
      title={t('admin.connections.title')}
      description={t('admin.connections.description')}
      action={
        <Button onClick={() => setEditing({ connection: null })}>
          <PlusIcon aria-hidden="true" />
          {t('admin.connections.new')}
        </Button>
      }
    >
      {content}
      {editing ? <ConnectionFormDialog connection={editing.connection} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => (open ? undefined : setDeleting(null))}
        title={t('admin.connections.deleteTitle')}
        description={t('admin.connections.deleteDescription', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        destructive
        pending={remove.isPending}
        onConfirm={confirmDelete}
      />
    </AdminPage>
  );
}
