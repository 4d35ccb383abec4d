import { BuildingIcon, PencilIcon, PlusIcon, Trash2Icon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DepartmentRead } from '@/client';
import { useDeleteDepartment, useDepartments } from '@/api/departments';
import { errorMessage, toastError } from '@/api/errorMessages';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { cn } from '@/lib/utils';
import { AdminPage } from './AdminPage';
import { fromApi, WEEKDAYS } from './BusinessHoursEditor';
import { DepartmentFormDialog } from './DepartmentFormDialog';

type Editing = { department: DepartmentRead | null } | null;

export function DepartmentsPage() {
  const { t } = useTranslation();
  const departments = useDepartments();
  const remove = useDeleteDepartment();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<DepartmentRead | null>(null);

  useEffect(() => {
    document.title = `${t('departments.title')} · Nexus`;
  }, [t]);

  function hoursSummary(department: DepartmentRead): string {
    const hours = fromApi(department.business_hours);
    if (!hours.enabled) return t('departments.alwaysOpen');
    const open = WEEKDAYS.filter((day) => hours.days[day]);
    return t('departments.openDays', { count: open.length });
  }

  function confirmDelete() {
    if (!deleting) return;
    const target = deleting;
    remove.mutate(target.id, {
      onSuccess: () => {
        toast.success(t('departments.deleted', { name: target.name }));
        setDeleting(null);
      },
      onError: (error) => {
        toastError(t, error, t('departments.deleteFailed'));
        setDeleting(null);
      },
    });
  }

  const list = departments.data ?? [];
  const nextPosition = list.reduce((max, department) => Math.max(max, department.position + 1), 0);

  let content;
  if (departments.isPending) {
    content = (
      <div className="flex justify-center p-10" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (departments.isError) {
    content = (
      <EmptyState
        icon={BuildingIcon}
        title={t('departments.loadFailed')}
        description={errorMessage(t, departments.error)}
        action={
          <Button variant="outline" onClick={() => void departments.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else if (list.length === 0) {
    content = <EmptyState icon={BuildingIcon} title={t('departments.empty')} description={t('departments.emptyHint')} />;
  } else {
    content = (
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label={t('departments.title')}>
        {list.map((department) => (
          <li
            key={department.id}
            className={cn('flex flex-col gap-3 rounded-lg border bg-card p-4', !department.is_active && 'opacity-70')}
          >
            <div className="flex items-start gap-3">
              <span
                className="mt-1 size-3.5 shrink-0 rounded-full"
                style={{ background: department.color ?? '#94a3b8' }}
                aria-hidden="true"
              />
              <div className="min-w-0 flex-1">
                <h2 className="truncate font-semibold">{department.name}</h2>
                <p className="truncate text-xs text-muted-foreground">/{department.slug}</p>
              </div>
              <div className="flex gap-0.5">
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={t('departments.editDepartment', { name: department.name })}
                  onClick={() => setEditing({ department })}
                >
                  <PencilIcon aria-hidden="true" />
                </Button>
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={t('departments.deleteDepartment', { name: department.name })}
                  onClick={() => setDeleting(department)}
                >
                  <Trash2Icon aria-hidden="true" />
                </Button>
              </div>
            </div>
            <div className="flex flex-wrap gap-1.5">
              {department.is_root ? <Badge variant="default">{t('departments.root')}</Badge> : null}
              {department.is_active ? null : <Badge variant="muted">{t('departments.inactive')}</Badge>}
              <Badge variant="secondary">{t(`routing.${department.routing_rule}`)}</Badge>
            </div>
            <dl className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 text-sm">
              <dt className="text-muted-foreground">{t('departments.responseTimeoutShort')}</dt>
              <dd className="text-right tabular-nums">{t('departments.minutes', { count: department.response_timeout_minutes })}</dd>
              <dt className="text-muted-foreground">{t('departments.maxAgents')}</dt>
              <dd className="text-right tabular-nums">{department.max_agents}</dd>
              <dt className="text-muted-foreground">{t('departments.businessHours')}</dt>
              <dd className="text-right">{hoursSummary(department)}</dd>
            </dl>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <AdminPage
      title={t('departments.title')}
      description={t('departments.description')}
      action={
        <Button onClick={() => setEditing({ department: null })}>
          <PlusIcon aria-hidden="true" />
          {t('departments.new')}
        </Button>
      }
    >
      {content}
      {editing ? (
        <DepartmentFormDialog department={editing.department} nextPosition={nextPosition} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => (open ? undefined : setDeleting(null))}
        title={t('departments.deleteTitle')}
        description={t('departments.deleteDescription', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        destructive
        pending={remove.isPending}
        onConfirm={confirmDelete}
      />
    </AdminPage>
  );
}
