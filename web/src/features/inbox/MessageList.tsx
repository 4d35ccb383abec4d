import { MessageSquareDashedIcon } from 'lucide-react';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageRead, NoteRead } from '@/client';
import { useNotes } from '@/api/conversations';
import { toastError } from '@/api/errorMessages';
import { useMessages, useResend } from '@/api/messages';
import { useUsers } from '@/api/users';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { MessageBubble, NoteBubble } from './MessageBubble';

type Entry = { kind: 'message'; at: string; message: MessageRead } | { kind: 'note'; at: string; note: NoteRead };

const entryKey = (entry: Entry) => (entry.kind === 'message' ? entry.message.id : entry.note.id);

/** How close to the bottom counts as "reading the latest": new messages then scroll into view. */
const STICKY_PX = 120;
/** How far back a search hit is looked for, in pages of history (50 messages each). */
const MAX_FOCUS_PAGES = 40;
/** How long the message a search hit opened stays marked. */
const HIGHLIGHT_MS = 2500;

/**
 * The conversation's messages and notes in time order. Scrolling to the top loads older
 * pages (cursor); the view keeps its place when they arrive and follows new messages only
 * when the agent is already at the bottom. With `focusMessageId` (a search hit), older pages
 * load until that message is there; it is then scrolled to and marked, and `onFocused` says
 * the search is over, found or not.
 */
export function MessageList({
  conversationId,
  focusMessageId,
  onFocused,
}: {
  conversationId: string;
  focusMessageId?: string | null;
  onFocused?: () => void;
}) {
  const { t } = useTranslation();
  const messages = useMessages(conversationId);
  const notes = useNotes(conversationId);
  const users = useUsers();
  const resend = useResend(conversationId);
  const scroller = useRef<HTMLDivElement>(null);
  
  const byId = useMemo(() => new Map(messages.items.map((item) => [item.id, item])), [messages.items]);
  const entries = useMemo<Entry[]>(() => {
    const list: Entry[] = messages.items
      .filter((message) => message.type !== 'reaction')
      .map((message) => ({ kind: 'message', at: message.created_at, message }));
    for (const note of notes.data ?? []) list.push({ kind: 'note', at: note.created_at, note });
    return list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [messages.items, notes.data]);

  // Where the view was (updated on scroll), to keep older pages from pushing it and to follow
  // the newest message only when the agent is already at the bottom.
  const view = useRef({ height: 0, top: 0, atBottom: true, firstKey: '' });
  function remember(box: HTMLDivElement, firstKey: string) {
    view.current = {
      height: box.scrollHeight,
      top: box.scrollTop,
      atBottom: box.scrollHeight - box.scrollTop - box.clientHeight < STICKY_PX,
      firstKey,
    };
  }
  const firstKey = entries[0] ? entryKey(entries[0]) : '';
  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box) return;
    const before = view.current;
    if (before.atBottom) box.scrollTop = box.scrollHeight;
    else if (firstKey !== before.firstKey) box.scrollTop = before.top + (box.scrollHeight - before.height);
    remember(box, firstKey);
  }, [entries, firstKey]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = messages;
  const loadedPages = messages.data?.pages.length ?? 0;
  const [highlighted, setHighlighted] = useState<string | null>(null);
  useEffect(() => {
    if (!focusMessageId || messages.isPending || isFetchingNextPage) return;
    if (byId.has(focusMessageId)) {
      const box = scroller.current;
      box?.querySelector(`[data-message-id="${CSS.escape(focusMessageId)}"]`)?.scrollIntoView({ block: 'center' });
      if (box) remember(box, firstKey); // before any later page or message moves the view
      setHighlighted(focusMessageId);
      onFocused?.();
    } else if (messages.isFetchNextPageError) {
      onFocused?.(); // retrying here would loop; the "load older" button is still there
    } else if (hasNextPage && loadedPages < MAX_FOCUS_PAGES) {
      void fetchNextPage();
    } else {
      toast.show(t('chat.focusNotLoaded'));
      onFocused?.();
    }
  }, [
    focusMessageId,
    messages.isPending,
    messages.isFetchNextPageError,
    isFetchingNextPage,
    byId,
    hasNextPage,
    loadedPages,
    fetchNextPage,
    firstKey,
    onFocused,
    t,
  ]);
  useEffect(() => {
    if (!highlighted) return;
    const timer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted]);

  function onScroll() {
    const box = scroller.current;
    if (!box) return;
    remember(box, firstKey);
    if (box.scrollTop < 200 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }

  let body;
  if (messages.isPending) {
    body = (
      <div className="flex h-full items-center justify-center" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (entries.length === 0) {
    body = (
      <EmptyState icon={MessageSquareDashedIcon} title={t('chat.noMessages')} description={t('chat.noMessagesHint')} />
    );
  } else {
    body = (
      <div className="flex flex-col gap-1.5 py-3">
        {hasNextPage ? (
          <div className="flex justify-center py-1">
            <Button
              variant="outline"
              size="sm"
              onClick={() => void fetchNextPage()}
              disabled={isFetchingNextPage}
            >
              {isFetchingNextPage ? <Spinner className="size-3.5" /> : null}
              {t('chat.loadOlder')}
            </Button>
          </div>
        ) : null}
        {entries.map((entry) =>
          entry.kind === 'message' ? (
            <MessageBubble
              key={entryKey(entry)}
              message={entry.message}
              quoted={entry.message.reply_to_id ? byId.get(entry.message.reply_to_id) : undefined}
              highlighted={highlighted === entry.message.id}
              resending={resend.isPending && resend.variables === entry.message.id}
              onResend={(id) => resend.mutate(id, { onError: (error) => toastError(t, error, t('chat.resendFailed')) })}
            />
          ) : (
            <NoteBubble
              key={entryKey(entry)}
              note={entry.note}
              author={users.data?.find((user) => user.id === entry.note.author_id)?.name}
            />
          ),
        )}
      </div>
    );
  }

  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      className="min-h-0 flex-1 overflow-y-auto bg-chat"
      role="log"
      aria-label={t('chat.messages')}
      aria-live="polite"
      // Focusable so the keyboard can scroll back through the history.
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
      data-testid="message-list"
    >
      {body}
    </div>
  );
}
