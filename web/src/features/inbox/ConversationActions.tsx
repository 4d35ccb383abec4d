import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { departmentsListDepartmentAgents, type ConversationRead } from '@/client';
import { useAssign, useReopen, useResolve, useTransfer } from '@/api/conversations';
import { useDepartments } from '@/api/departments';
import { toastError } from '@/api/errorMessages';
import { useClosingReasons, useCompanySettings } from '@/api/reference';
import { useAuth } from '@/auth/store';
import { Spinner } from '@/components/Spinner';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';

const ANYONE = '__anyone__';

function useDepartmentAgents(departmentId: string | undefined) {
  return useQuery({
    queryKey: ['departments', 'agents', departmentId],
    queryFn: async ({ signal }) =>
      (await departmentsListDepartmentAgents({ path: { department_id: departmentId! }, signal })).data,
    enabled: Boolean(departmentId),
  });
}

/** Transfer to another department (its queue) or to one of its agents (T2). */
function TransferDialog({
  conversation,
  open,
  onOpenChange,
}: {
  conversation: ConversationRead;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useAuth((state) => state.user);
  const departments = useDepartments({ is_active: true });
  const [departmentId, setDepartmentId] = useState(conversation.department_id ?? '');
  const [agentId, setAgentId] = useState(ANYONE);
  const [reason, setReason] = useState('');
  const agents = useDepartmentAgents(departmentId || undefined);
  const transfer = useTransfer(conversation.id);

  function submit(event: FormEvent) {
    event.preventDefault();
    transfer.mutate(
      {
        department_id: departmentId || null,
        user_id: agentId === ANYONE ? null : agentId,
        reason: reason.trim() || null,
      },
      {
        onSuccess: (updated) => {
          onOpenChange(false);
          // Handed to someone else (or to a queue): no longer this user's to answer, and an
          // agent outside the new department cannot even open it any more — back to the list.
          if (updated.assignee_id !== me?.id) {
            const department = departments.data?.find((item) => item.id === updated.department_id);
            toast.success(t('customer.transferred', { department: department?.name ?? '' }));
            void navigate('/inbox');
          }
        },
        onError: (error) => toastError(t, error, t('customer.transferFailed')),
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <form onSubmit={submit} className="flex flex-col gap-4">
          <DialogHeader>
            <DialogTitle>{t('customer.transferTitle')}</DialogTitle>
            <DialogDescription>{t('customer.transferHint')}</DialogDescription>
          </DialogHeader>
          <Field label={t('customer.department')}>
            {(props) => (
              <Select
                value={departmentId}
                onValueChange={(value) => {
                  setDepartmentId(value);
                  setAgentId(ANYONE);
                }}
              >
                <SelectTrigger {...props}>
                  <SelectValue placeholder={t('customer.chooseDepartment')} />
                </SelectTrigger>
                <SelectContent>
                  {(departments.data ?? []).map((department) => (
                    <SelectItem key={department.id} value={department.id}>
                      {department.name}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          </Field>
          <Field label={t('customer.assignee')}>
            {(props) => (
              <Select value={agentId} onValueChange={setAgentId} disabled={!departmentId}>
                <SelectTrigger {...props}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={ANYONE}>{t('customer.anyAgent')}</SelectItem>
                  {(agents.data ?? []).map((agent) => (
                    <SelectItem key={agent.id} value={agent.id}>
                      {agent.name} · {t(`presence.${agent.presence}`)}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          </Field>
          <Field label={t('customer.transferReason')}>
            <textarea
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              maxLength={500}
              rows={2}
              className="rounded-md border border-input bg-card px-3 py-2 text-sm focus-visible:border-ring focus-visible:outline-none"
            />
          </Field>
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">{t('common.cancel')}</Button>
            </DialogClose>
            <Button type="submit" disabled={!departmentId || transfer.isPending}>
              {transfer.isPending ? <Spinner /> : null}
              {t('customer.transfer')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Resolve with a closing reason ("tabulation"), required when the company says so. */
function ResolveDialog({
  conversation,
  open,
  onOpenChange,
}: {
  conversation: ConversationRead;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { t } = useTranslation();
  const reasons = useClosingReasons();
  const settings = useCompanySettings();
  // The server enforces it; without the settings, ask for a reason rather than fail later.
  const required = settings.data?.conversations?.require_closing_reason ?? true;
  const [reasonId, setReasonId] = useState('');
  const [error, setError] = useState<string>();
  const resolve = useResolve(conversation.id);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (required && !reasonId) {
      setError(t('customer.closingReasonRequired'));
      return;
    }
    resolve.mutate(
      { closing_reason_id: reasonId || null },
      {
        onSuccess: () => onOpenChange(false),
        onError: (failure) => toastError(t, failure, t('customer.resolveFailed')),
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{t('customer.resolveTitle')}</DialogTitle>
            <DialogDescription>{t('customer.resolveHint')}</DialogDescription>
          </DialogHeader>
          <Field label={t('customer.closingReason')} error={error}>
            {(props) => (
              <Select
                value={reasonId}
                onValueChange={(value) => {
                  setReasonId(value);
                  setError(undefined);
                }}
              >
                <SelectTrigger {...props}>
                  <SelectValue placeholder={t('customer.chooseClosingReason')} />
                </SelectTrigger>
                <SelectContent>
                  {(reasons.data ?? [])
                    .filter((reason) => reason.is_active)
                    .map((reason) => (
                      <SelectItem key={reason.id} value={reason.id}>
                        {reason.name}
                      </SelectItem>
                    ))}
                </SelectContent>
              </Select>
            )}
          </Field>
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">{t('common.cancel')}</Button>
            </DialogClose>
            <Button type="submit" disabled={resolve.isPending}>
              {resolve.isPending ? <Spinner /> : null}
              {t('customer.resolve')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ConversationActions({ conversation }: { conversation: ConversationRead }) {
  const { t } = useTranslation();
  const me = useAuth((state) => state.user);
  const assign = useAssign(conversation.id);
  const reopen = useReopen(conversation.id);
  const [dialog, setDialog] = useState<'transfer' | 'resolve' | null>(null);
  const closed = conversation.status === 'resolved' || conversation.status === 'archived';
  const close = (open: boolean) => !open && setDialog(null);

  return (
    <div className="flex flex-wrap gap-2 border-b p-4" role="group" aria-label={t('common.actions')}>
      {closed ? (
        <Button
          size="sm"
          variant="outline"
          onClick={() => reopen.mutate(undefined, { onError: (error) => toastError(t, error, t('customer.reopenFailed')) })}
          disabled={reopen.isPending}
        >
          {t('customer.reopen')}
        </Button>
      ) : (
        <>
          {me && conversation.assignee_id !== me.id ? (
            <Button
              size="sm"
              variant="outline"
              onClick={() =>
                assign.mutate(me.id, { onError: (error) => toastError(t, error, t('customer.assignFailed')) })
              }
              disabled={assign.isPending}
            >
              {t('customer.assignToMe')}
            </Button>
          ) : null}
          <Button size="sm" variant="outline" onClick={() => setDialog('transfer')}>
            {t('customer.transfer')}
          </Button>
          <Button size="sm" onClick={() => setDialog('resolve')} data-testid="resolve-conversation">
            {t('customer.resolve')}
          </Button>
        </>
      )}
      {dialog === 'transfer' ? <TransferDialog conversation={conversation} open onOpenChange={close} /> : null}
      {dialog === 'resolve' ? <ResolveDialog conversation={conversation} open onOpenChange={close} /> : null}
    </div>
  );
}
