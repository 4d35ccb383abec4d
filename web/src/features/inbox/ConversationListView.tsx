import { useVirtualizer } from '@tanstack/react-virtual';
import { ClockIcon } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ConversationRead } from '@/client';
import { Spinner } from '@/components/Spinner';
import { PersonAvatar } from '@/components/ui/avatar';
import { cn } from '@/lib/utils';
import { formatListTime } from '@/lib/format';
import { contactName, formatWaiting } from './labels';

export const ROW_HEIGHT = 72;

/** The current time, ticking every 30 s: waiting times in the queue grow while one looks. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

type Props = {
  items: ConversationRead[];
  selectedId: string | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** Accessible name of the list. */
  label: string;
};

/**
 * The conversation list, virtualised: only the rows in view (plus a few) are in the DOM, so
 * ten thousand conversations cost what twenty do. Arrow keys, Home and End move between rows.
 */
export function ConversationListView({ items, selectedId, hasMore, loadingMore, onLoadMore, label }: Props) {
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = useNow();
  const count = items.length + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    initialRect: { width: 360, height: 720 },
  });
  const virtualItems = virtualizer.getVirtualItems();
  const last = virtualItems[virtualItems.length - 1];

  useEffect(() => {
    if (last && last.index >= items.length - 1 && hasMore && !loadingMore) onLoadMore();
  }, [last, items.length, hasMore, loadingMore, onLoadMore]);

  function focusRow(index: number) {
    const target = Math.max(0, Math.min(items.length - 1, index));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-row="${target}"]`)?.focus();
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-row]');
    const current = row ? Number(row.dataset.row) : -1;
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 0,
      End: items.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined || items.length === 0) return;
    event.preventDefault();
    focusRow(next);
  }

  return (
    // Arrow keys are handled here for the row links inside it (event delegation): the
    // container itself is not a control.
    // eslint-disable-next-line jsx-a11y/no-static-element-interactions
    <div
      ref={scrollRef}
      className="min-h-0 flex-1 overflow-y-auto"
      onKeyDown={onKeyDown}
      data-testid="conversation-list"
    >
      <ul
        aria-label={label}
        className="relative w-full"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualItems.map((virtualRow) => {
          const conversation = items[virtualRow.index];
          const style = { height: virtualRow.size, transform: `translateY(${virtualRow.start}px)` };
          if (!conversation) {
            return (
              <li
                key="loader"
                className="absolute top-0 left-0 flex w-full items-center justify-center text-muted-foreground"
                style={style}
              >
                <Spinner />
                <span className="sr-only">{t('common.loading')}</span>
              </li>
            );
          }
          return (
            <li
              key={conversation.id}
              className="absolute top-0 left-0 w-full"
              style={style}
              aria-setsize={hasMore ? -1 : items.length}
              aria-posinset={virtualRow.index + 1}
            >
              <ConversationRow
                conversation={conversation}
                selected={conversation.id === selectedId}
                now={now}
                row={virtualRow.index}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** One conversation of the list: the customer, the last message, its time, the waiting time
 *  in the queue and the unread count. */
export function ConversationRow({
  conversation,
  selected,
  now,
  row,
}: {
  conversation: ConversationRead;
  selected: boolean;
  /** The current time, for the waiting time. */
  now: number;
  /** The row's index, for keyboard moves in the virtual list. */
  row?: number;
}) {
  const { t, i18n } = useTranslation();
  const name = contactName(conversation);
  const unread = conversation.unread_count;
  const waiting =
    conversation.status === 'waiting' && conversation.queued_at
      ? formatWaiting(now - Date.parse(conversation.queued_at))
      : null;
  const yesterday = t('time.yesterday');
  return (
    <Link
      to={`/inbox/${conversation.id}`}
      data-row={row}
      aria-current={selected ? 'page' : undefined}
      className={cn(
        'flex h-full items-center gap-3 border-b border-border/60 px-3 outline-none hover:bg-muted focus-visible:bg-accent focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset',
        selected && 'bg-secondary hover:bg-secondary',
      )}
    >
      <PersonAvatar name={name} src={conversation.contact.avatar_url} className="size-11" />
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <span className="truncate font-medium">{name}</span>
          <span
            className={cn(
              'ml-auto shrink-0 text-xs text-muted-foreground',
              unread > 0 && 'font-medium text-primary',
            )}
          >
            {formatListTime(conversation.last_message_at ?? conversation.created_at, i18n.language, { yesterday })}
          </span>
        </div>
        <div className="flex items-center gap-2">
          <span className="truncate text-sm text-muted-foreground">
            {conversation.last_message_preview ?? t(`status.${conversation.status}`)}
          </span>
          {waiting ? (
            <span
              className="ml-auto flex shrink-0 items-center gap-0.5 text-xs font-medium text-warning"
              aria-label={t('inbox.waitingFor', { time: waiting })}
            >
              <ClockIcon className="size-3" aria-hidden="true" />
              {waiting}
            </span>
          ) : null}
          {unread > 0 ? (
            <span
              className={cn(
                'flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-primary px-1.5 text-xs font-semibold text-primary-foreground',
                !waiting && 'ml-auto',
              )}
              aria-label={t('inbox.unread', { count: unread })}
            >
              {unread > 99 ? '99+' : unread}
            </span>
          ) : null}
        </div>
      </div>
    </Link>
  );
}
