import { EllipsisVerticalIcon, PencilIcon, PlusIcon, SearchIcon, UserCheckIcon, UserXIcon, UsersIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserRead, UserRole } from '@/client';
import { useDepartmentIndex } from '@/api/departments';
import { errorMessage, toastError } from '@/api/errorMessages';
import { useDeactivateUser, useUpdateUser, useUsers, type UserFilters } from '@/api/users';
import { useAuth } from '@/auth/store';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { PersonAvatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { cn } from '@/lib/utils';
import { presenceDot } from '../shell/presence';
import { AdminPage } from './AdminPage';
import { ROLES, UserFormDialog } from './UserFormDialog';

type StatusFilter = 'active' | 'inactive' | 'all';
type Editing = { user: UserRead | null } | null;

const roleVariant: Record<UserRole, 'default' | 'secondary' | 'outline'> = {
  admin: 'default',
  supervisor: 'secondary',
  agent: 'outline',
};

export function UsersPage() {
  const { t } = useTranslation();
  const me = useAuth((state) => state.user);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [role, setRole] = useState<UserRole | 'all'>('all');
  const [status, setStatus] = useState<StatusFilter>('active');
  const [editing, setEditing] = useState<Editing>(null);
  const [deactivating, setDeactivating] = useState<UserRead | null>(null);

  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(search.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [search]);

  const filters: UserFilters = {
    ...(query ? { search: query } : {}),
    ...(role !== 'all' ? { role } : {}),
    ...(status !== 'all' ? { is_active: status === 'active' } : {}),
  };
  const users = useUsers(filters);
  const departments = useDepartmentIndex();
  const deactivate = useDeactivateUser();
  const update = useUpdateUser();

  useEffect(() => {
    document.title = `${t('users.title')} · Nexus`;
  }, [t]);

  function departmentNames(user: UserRead): string {
    const names = (user.departments ?? [])
      .map((membership) => departments.get(membership.department_id)?.name)
      .filter(Boolean);
    return names.length > 0 ? names.join(', ') : '—';
  }

  function confirmDeactivate() {
    if (!deactivating) return;
    const target = deactivating;
    deactivate.mutate(target.id, {
      onSuccess: () => {
        toast.success(t('users.deactivated', { name: target.name }));
        setDeactivating(null);
      },
      onError: (error) => toastError(t, error, t('users.deactivateFailed')),
    });
  }

  function reactivate(user: UserRead) {
    update.mutate(
      { id: user.id, body: { is_active: true } },
      {
        onSuccess: () => toast.success(t('users.reactivated', { name: user.name })),
        onError: (error) => toastError(t, error),
      },
    );
  }

  function actions(user: UserRead) {
    return (
      <div className="flex items-center justify-end gap-1">
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={t('users.editUser', { name: user.name })}
          onClick={() => setEditing({ user })}
        >
          <PencilIcon aria-hidden="true" />
        </Button>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon-sm" aria-label={t('users.moreActions', { name: user.name })}>
              <EllipsisVerticalIcon aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            {user.is_active ? (
              <DropdownMenuItem
                variant="destructive"
                disabled={user.id === me?.id}
                onSelect={() => setDeactivating(user)}
              >
                <UserXIcon aria-hidden="true" />
                {t('users.deactivate')}
              </DropdownMenuItem>
            ) : (
              <DropdownMenuItem onSelect={() => reactivate(user)}>
                <UserCheckIcon aria-hidden="true" />
                {t('users.reactivate')}
              </DropdownMenuItem>
            )}
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
    );
  }

  function presence(user: UserRead) {
    return (
      <span className="inline-flex items-center gap-1.5 text-sm">
        <span className={cn('size-2 rounded-full', presenceDot[user.presence])} aria-hidden="true" />
        {t(`presence.${user.presence}`)}
      </span>
    );
  }

  let content;
  if (users.isPending) {
    content = (
      <div className="flex justify-center p-10" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (users.isError) {
    content = (
      <EmptyState
        icon={UsersIcon}
        title={t('users.loadFailed')}
        description={errorMessage(t, users.error)}
        action={
          <Button variant="outline" onClick={() => void users.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else if (users.data.length === 0) {
    content = <EmptyState icon={UsersIcon} title={t('users.empty')} description={t('users.emptyHint')} />;
  } else {
    content = (
      <>
        {/* Phones: one card per user. */}
        <ul className="grid gap-2 md:hidden" aria-label={t('users.title')}>
          {users.data.map((user) => (
            <li key={user.id} className="flex items-center gap-3 rounded-lg border bg-card p-3">
              <PersonAvatar name={user.name} className="size-10" />
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{user.name}</p>
                <p className="truncate text-sm text-muted-foreground">{user.email}</p>
                <div className="mt-1 flex flex-wrap items-center gap-2">
                  <Badge variant={roleVariant[user.role]}>{t(`roles.${user.role}`)}</Badge>
                  {user.is_active ? presence(user) : <Badge variant="muted">{t('users.inactive')}</Badge>}
                </div>
              </div>
              {actions(user)}
            </li>
          ))}
        </ul>
        {/* Larger screens: a table. */}
        <div className="hidden overflow-hidden rounded-lg border bg-card md:block">
          <table className="w-full text-sm">
            <caption className="sr-only">{t('users.title')}</caption>
            <thead className="bg-muted text-left text-xs tracking-wide text-muted-foreground uppercase">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">{t('users.user')}</th>
                <th scope="col" className="px-4 py-2.5 font-medium">{t('users.role')}</th>
                <th scope="col" className="px-4 py-2.5 font-medium">{t('users.departments')}</th>
                <th scope="col" className="px-4 py-2.5 font-medium">{t('users.presence')}</th>
                <th scope="col" className="px-4 py-2.5 text-right font-medium">{t('users.capacity')}</th>
                <th scope="col" className="px-4 py-2.5 font-medium">{t('users.account')}</th>
                <th scope="col" className="px-4 py-2.5"><span className="sr-only">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.id} className={cn('border-t', !user.is_active && 'text-muted-foreground')}>
                  <td className="px-4 py-2.5">
                    <div className="flex items-center gap-3">
                      <PersonAvatar name={user.name} className="size-8 text-xs" />
                      <div className="min-w-0">
                        <p className="truncate font-medium text-foreground">
                          {user.name}
                          {user.id === me?.id ? (
                            <span className="ml-1.5 text-xs font-normal text-muted-foreground">({t('users.you')})</span>
                          ) : null}
                        </p>
                        <p className="truncate text-muted-foreground">{user.email}</p>
                      </div>
                    </div>
                  </td>
                  <td className="px-4 py-2.5">
                    <Badge variant={roleVariant[user.role]}>{t(`roles.${user.role}`)}</Badge>
                  </td>
                  <td className="max-w-52 truncate px-4 py-2.5">{departmentNames(user)}</td>
                  <td className="px-4 py-2.5">{presence(user)}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums">{user.max_conversations}</td>
                  <td className="px-4 py-2.5">
                    {user.is_active ? (
                      <Badge variant="success">{t('users.active')}</Badge>
                    ) : (
                      <Badge variant="muted">{t('users.inactive')}</Badge>
                    )}
                  </td>
                  <td className="px-2 py-1.5">{actions(user)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    );
  }

  return (
    <AdminPage
      title={t('users.title')}
      description={t('users.description')}
      action={
        <Button onClick={() => setEditing({ user: null })}>
          <PlusIcon aria-hidden="true" />
          {t('users.new')}
        </Button>
      }
    >
      <div className="flex flex-col gap-2 sm:flex-row">
        <div className="relative flex-1">
          <SearchIcon
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder={t('users.searchPlaceholder')}
            aria-label={t('users.search')}
            className="pl-9"
          />
        </div>
        <div className="flex gap-2">
          <Select value={role} onValueChange={(value) => setRole(value as UserRole | 'all')}>
            <SelectTrigger className="sm:w-44" aria-label={t('users.filterRole')}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="all">{t('users.allRoles')}</SelectItem>
              {ROLES.map((value) => (
                <SelectItem key={value} value={value}>
                  {t(`roles.${value}`)}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <Select value={status} onValueChange={(value) => setStatus(value as StatusFilter)}>
            <SelectTrigger className="sm:w-40" aria-label={t('users.filterStatus')}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="active">{t('users.activeOnly')}</SelectItem>
              <SelectItem value="inactive">{t('users.inactiveOnly')}</SelectItem>
              <SelectItem value="all">{t('users.everyone')}</SelectItem>
            </SelectContent>
          </Select>
        </div>
      </div>
      {content}
      {editing ? <UserFormDialog user={editing.user} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={deactivating !== null}
        onOpenChange={(open) => (open ? undefined : setDeactivating(null))}
        title={t('users.deactivateTitle')}
        description={t('users.deactivateDescription', { name: deactivating?.name ?? '' })}
        confirmLabel={t('users.deactivate')}
        destructive
        pending={deactivate.isPending}
        onConfirm={confirmDeactivate}
      />
    </AdminPage>
  );
}
