import { ArrowLeftIcon, CheckIcon, PencilIcon, TagIcon, UserRoundIcon, XIcon } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ConversationRead, Priority } from '@/client';
import {
  useContactConversations,
  useConversationHistory,
  useNotes,
  useRenameCustomer,
  useSetPriority,
  useSetTags,
} from '@/api/conversations';
import { useDepartmentIndex } from '@/api/departments';
import { toastError } from '@/api/errorMessages';
import { useConnections, useTags } from '@/api/reference';
import { useUsers } from '@/api/users';
import { EmptyState } from '@/components/EmptyState';
import { PersonAvatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { formatDateTime } from '@/lib/format';
import { ConversationActions } from './ConversationActions';
import { contactName, isConversationStatus, isHistoryKind, statusVariant } from './labels';

const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] items-center gap-2 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 truncate">{children}</dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="border-b p-4">
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted-foreground uppercase">{title}</h3>
      {children}
    </section>
  );
}

export function NoCustomerSelected() {
  const { t } = useTranslation();
  return <EmptyState icon={UserRoundIcon} title={t('customer.title')} description={t('customer.noneSelected')} />;
}

/** The customer's name, editable in place (T8). */
function CustomerName({ conversation }: { conversation: ConversationRead }) {
  const { t } = useTranslation();
  const rename = useRenameCustomer(conversation.id);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const name = contactName(conversation);

  function submit(event: FormEvent) {
    event.preventDefault();
    const next = value.trim();
    if (!next) return;
    rename.mutate(next, {
      onSuccess: () => setEditing(false),
      onError: (error) => toastError(t, error, t('customer.renameFailed')),
    });
  }

  if (!editing) {
    return (
      <div className="flex items-center gap-1">
        <p className="text-lg font-medium">{name}</p>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={t('customer.rename')}
          onClick={() => {
            setValue(conversation.contact.name ?? '');
            setEditing(true);
          }}
        >
          <PencilIcon aria-hidden="true" />
        </Button>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="flex w-full items-center gap-1">
      <Input
        value={value}
        onChange={(event) => setValue(event.target.value)}
        maxLength={160}
        aria-label={t('customer.name')}
        ref={(element) => element?.focus()}
        onKeyDown={(event) => event.key === 'Escape' && setEditing(false)}
      />
      <Button type="submit" size="icon-sm" aria-label={t('common.save')} disabled={rename.isPending}>
        <CheckIcon aria-hidden="true" />
      </Button>
      <Button type="button" variant="ghost" size="icon-sm" aria-label={t('common.cancel')} onClick={() => setEditing(false)}>
        <XIcon aria-hidden="true" />
      </Button>
    </form>
  );
}

function TagPicker({ conversation }: { conversation: ConversationRead }) {
  const { t } = useTranslation();
  const tags = useTags();
  const setTags = useSetTags(conversation.id);
  const selected = new Set(conversation.tag_ids ?? []);
  const chosen = (tags.data ?? []).filter((tag) => selected.has(tag.id));

  function toggle(id: string) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setTags.mutate([...next], { onError: (error) => toastError(t, error, t('customer.tagsFailed')) });
  }

  return (
    <div className="flex flex-wrap items-center gap-1">
      {chosen.map((tag) => (
        <span
          key={tag.id}
          className="inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs"
          style={{ borderColor: tag.color ?? undefined }}
        >
          <span className="size-2 rounded-full" style={{ background: tag.color ?? '#94a3b8' }} aria-hidden="true" />
          {tag.name}
        </span>
      ))}
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="sm" className="h-7 px-2" aria-label={t('customer.editTags')}>
            <TagIcon aria-hidden="true" />
            {chosen.length ? null : t('customer.addTag')}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          {(tags.data ?? []).length === 0 ? (
            <p className="px-2 py-1.5 text-sm text-muted-foreground">{t('customer.noTags')}</p>
          ) : null}
          {(tags.data ?? []).map((tag) => (
            <DropdownMenuCheckboxItem
              key={tag.id}
              checked={selected.has(tag.id)}
              onSelect={(event) => event.preventDefault()}
              onCheckedChange={() => toggle(tag.id)}
            >
              {tag.name}
            </DropdownMenuCheckboxItem>
          ))}
        </DropdownMenuContent>
      </DropdownMenu>
    </div>
  );
}

function History({ conversation }: { conversation: ConversationRead }) {
  const { t, i18n } = useTranslation();
  const history = useConversationHistory(conversation.id);
  const users = useUsers();
  const departments = useDepartmentIndex();
  const userName = (id: string | null) => (id ? users.data?.find((user) => user.id === id)?.name : undefined);
  if (!history.data?.length) return <p className="text-sm text-muted-foreground">{t('customer.noHistory')}</p>;
  return (
    <ol className="flex flex-col gap-2 text-sm">
      {history.data.map((event) => {
        const target =
          userName(event.to_assignee_id) ??
          (event.to_department_id ? departments.get(event.to_department_id)?.name : undefined) ??
          (isConversationStatus(event.to_status) ? t(`status.${event.to_status}`) : '');
        return (
          <li key={event.id} className="border-l-2 border-primary/40 pl-2">
            <p>
              {isHistoryKind(event.kind) ? t(`customer.events.${event.kind}`) : event.kind}
              {target ? ` → ${target}` : ''}
            </p>
            <p className="text-xs text-muted-foreground">
              {formatDateTime(event.created_at, i18n.language)}
              {userName(event.actor_id) ? ` · ${userName(event.actor_id)}` : ''}
              {event.reason ? ` · ${event.reason}` : ''}
            </p>
          </li>
        );
      })}
    </ol>
  );
}

function EarlierConversations({ conversation }: { conversation: ConversationRead }) {
  const { t, i18n } = useTranslation();
  const earlier = useContactConversations(conversation.contact.id);
  const others = (earlier.data ?? []).filter((item) => item.id !== conversation.id);
  if (!others.length) return <p className="text-sm text-muted-foreground">{t('customer.noEarlier')}</p>;
  return (
    <ul className="flex flex-col gap-1 text-sm">
      {others.map((item) => (
        <li key={item.id}>
          <Link to={`/inbox/${item.id}`} className="flex items-center justify-between gap-2 rounded px-1 py-1 hover:bg-accent">
            <span className="truncate">{formatDateTime(item.created_at, i18n.language)}</span>
            <Badge variant={statusVariant[item.status]}>{t(`status.${item.status}`)}</Badge>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Notes({ conversation }: { conversation: ConversationRead }) {
  const { t, i18n } = useTranslation();
  const notes = useNotes(conversation.id);
  if (!notes.data?.length) return <p className="text-sm text-muted-foreground">{t('customer.noNotes')}</p>;
  return (
    <ul className="flex flex-col gap-2 text-sm">
      {notes.data.map((note) => (
        <li key={note.id} className="rounded-md border border-amber-300 bg-amber-50 px-2 py-1 text-amber-950">
          <p className="whitespace-pre-wrap">{note.body}</p>
          <p className="text-xs text-amber-800/80">{formatDateTime(note.created_at, i18n.language)}</p>
        </li>
      ))}
    </ul>
  );
}

export function CustomerPanel({
  conversation,
  closeHref,
}: {
  conversation: ConversationRead;
  /** Where "back" goes when the panel is shown on its own (phone, tablet). */
  closeHref: string;
}) {
  const { t, i18n } = useTranslation();
  const departments = useDepartmentIndex();
  const users = useUsers();
  const connections = useConnections();
  const setPriority = useSetPriority(conversation.id);
  const name = contactName(conversation);
  const department = conversation.department_id ? departments.get(conversation.department_id) : undefined;
  const assignee = users.data?.find((user) => user.id === conversation.assignee_id);
  const connection = connections.data?.find((item) => item.id === conversation.connection_id);

  return (
    <div className="flex h-full flex-col">
      <div className="flex h-14 shrink-0 items-center gap-2 border-b bg-muted px-3">
        <Button asChild variant="ghost" size="icon-sm" className="xl:hidden">
          <Link to={closeHref} aria-label={t('customer.close')}>
            <ArrowLeftIcon aria-hidden="true" />
          </Link>
        </Button>
        <h2 className="text-sm font-semibold">{t('customer.title')}</h2>
      </div>
      <div className="flex-1 overflow-y-auto">
        <div className="flex flex-col items-center gap-1 border-b p-5 text-center">
          <PersonAvatar name={name} src={conversation.contact.avatar_url} className="size-20 text-xl" />
          <CustomerName conversation={conversation} />
          <p className="text-sm text-muted-foreground">{conversation.contact.phone ?? t('chat.noPhone')}</p>
        </div>
        <ConversationActions conversation={conversation} />
        <dl className="border-b p-4">
          <Row label={t('customer.status')}>
            <Badge variant={statusVariant[conversation.status]}>{t(`status.${conversation.status}`)}</Badge>
          </Row>
          <Row label={t('customer.priority')}>
            <Select
              value={conversation.priority}
              onValueChange={(value) =>
                setPriority.mutate(value as Priority, {
                  onError: (error) => toastError(t, error, t('customer.priorityFailed')),
                })
              }
            >
              <SelectTrigger className="h-8" aria-label={t('customer.priority')}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {PRIORITIES.map((priority) => (
                  <SelectItem key={priority} value={priority}>
                    {t(`priority.${priority}`)}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </Row>
          <Row label={t('customer.department')}>
            {department ? (
              <span className="inline-flex items-center gap-1.5">
                <span
                  className="size-2.5 rounded-full"
                  style={{ background: department.color ?? '#94a3b8' }}
                  aria-hidden="true"
                />
                {department.name}
              </span>
            ) : (
              '—'
            )}
          </Row>
          <Row label={t('customer.assignee')}>{assignee?.name ?? t('customer.unassigned')}</Row>
          <Row label={t('customer.connection')}>{connection?.name ?? '—'}</Row>
          <Row label={t('customer.openedAt')}>{formatDateTime(conversation.created_at, i18n.language)}</Row>
          <div className="py-1.5 text-sm">
            <dt className="mb-1 text-muted-foreground">{t('customer.tags')}</dt>
            <dd>
              <TagPicker conversation={conversation} />
            </dd>
          </div>
        </dl>
        <Section title={t('customer.notes')}>
          <Notes conversation={conversation} />
        </Section>
        <Section title={t('customer.history')}>
          <History conversation={conversation} />
        </Section>
        <Section title={t('customer.earlier')}>
          <EarlierConversations conversation={conversation} />
        </Section>
      </div>
    </div>
  );
}
