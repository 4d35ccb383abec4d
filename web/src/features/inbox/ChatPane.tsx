import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ArrowLeftIcon, InfoIcon, MessagesSquareIcon, TimerIcon } from 'lucide-react';
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { messagesMarkConversationRead, type ConversationRead } from '@/client';
import { conversationKeys, useAddNote, useAssign } from '@/api/conversations';
import { toastError } from '@/api/errorMessages';
import { useSendText } from '@/api/messages';
import { useConnections, useQuickReplies } from '@/api/reference';
import { useAuth } from '@/auth/store';
import { EmptyState } from '@/components/EmptyState';
import { PersonAvatar } from '@/components/ui/avatar';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Tooltip } from '@/components/ui/tooltip';
import { realtime, useConversationRoom } from '@/realtime';
import { useTypist } from '@/realtime/typing';
import { Composer } from './Composer';
import { contactName, statusVariant } from './labels';
import { MessageList } from './MessageList';
import { TemplatePicker } from './TemplatePicker';
import { serviceWindow } from './window';

export function NoConversationSelected() {
  const { t } = useTranslation();
  return (
    <EmptyState
      icon={MessagesSquareIcon}
      title={t('chat.noneSelected')}
      description={t('chat.noneSelectedHint')}
    />
  );
}

/** Opening a conversation with unread messages reads them (and tells the other tabs). */
function useMarkRead(conversation: ConversationRead) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    mutationFn: async (id: string) => (await messagesMarkConversationRead({ path: { conversation_id: id } })).data,
    onSuccess: (_, id) =>
      queryClient.setQueryData<ConversationRead>(conversationKeys.one(id), (current) =>
        current ? { ...current, unread_count: 0 } : current,
      ),
  });
  const unread = conversation.unread_count > 0;
  useEffect(() => {
    if (unread && document.visibilityState === 'visible') mutate(conversation.id);
  }, [conversation.id, unread, mutate]);
}

export function ChatPane({
  conversation,
  panelHref,
}: {
  conversation: ConversationRead;
  /** Link that opens the customer panel (on screens too narrow to show it beside the chat). */
  panelHref: string;
}) {
  const { t, i18n } = useTranslation();
  const me = useAuth((state) => state.user);
  const name = contactName(conversation);
  const send = useSendText(conversation.id);
  const addNote = useAddNote(conversation.id);
  const accept = useAssign(conversation.id);
  const quickReplies = useQuickReplies();
  const connections = useConnections();
  const typist = useTypist(conversation.id);
  useConversationRoom(conversation.id);
  useMarkRead(conversation);
  // A search hit opens the chat at its message (?message=); once shown, the address drops it,
  // so that opening the same hit again shows it again.
  const [params, setParams] = useSearchParams();
  const focusMessageId = params.get('message');
  const focused = useCallback(
    () =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          next.delete('message');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const serviceState = serviceWindow(conversation, connections.data);
  const queued = conversation.status === 'waiting' && !conversation.assignee_id;
  const typingText =
    typist?.sender === 'customer'
      ? t('chat.typing')
      : typist
        ? t('chat.agentTyping', { name: typist.name ?? t('chat.someone') })
        : null;

  return (
    <>
      <div className="flex h-14 shrink-0 items-center gap-2 border-b bg-muted px-2 sm:px-3">
        <Button asChild variant="ghost" size="icon-sm" className="md:hidden">
          <Link to="/inbox" aria-label={t('chat.back')}>
            <ArrowLeftIcon aria-hidden="true" />
          </Link>
        </Button>
        <PersonAvatar name={name} src={conversation.contact.avatar_url} className="size-9" />
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-sm font-semibold">{name}</h2>
          <p className="truncate text-xs text-muted-foreground" aria-live="polite">
            {typingText ? (
              <span className="text-primary" data-testid="typing-indicator">
                {typingText}
              </span>
            ) : (
              (conversation.contact.phone ?? t('chat.noPhone'))
            )}
          </p>
        </div>
        {serviceState.kind === 'open' ? (
          <Tooltip content={t('chat.windowOpenHint')}>
            <Badge variant="muted" className="hidden gap-1 sm:inline-flex">
              <TimerIcon className="size-3" aria-hidden="true" />
              {t('chat.windowOpen', {
                time: new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' }).format(serviceState.closesAt),
              })}
            </Badge>
          </Tooltip>
        ) : null}
        <Badge variant={statusVariant[conversation.status]}>{t(`status.${conversation.status}`)}</Badge>
        {queued && me ? (
          <Button
            size="sm"
            onClick={() =>
              accept.mutate(me.id, { onError: (error) => toastError(t, error, t('chat.acceptFailed')) })
            }
            disabled={accept.isPending}
            data-testid="accept-conversation"
          >
            {t('chat.accept')}
          </Button>
        ) : null}
        <Tooltip content={t('chat.details')}>
          <Button asChild variant="ghost" size="icon-sm" className="xl:hidden">
            <Link to={panelHref} aria-label={t('chat.details')}>
              <InfoIcon aria-hidden="true" />
            </Link>
          </Button>
        </Tooltip>
      </div>
      <MessageList conversationId={conversation.id} focusMessageId={focusMessageId} onFocused={focused} />
      <Composer
        conversationId={conversation.id}
        quickReplies={quickReplies.data}
        replyValues={{ agent: me?.name ?? '', customer: conversation.contact.name ?? '' }}
        blocked={serviceState.kind === 'closed' ? t('chat.windowClosed') : undefined}
        blockedAction={<TemplatePicker conversationId={conversation.id} connectionId={conversation.connection_id} />}
        onTyping={(isTyping) => realtime()?.typing(conversation.id, isTyping)}
        onSend={(content) =>
          send.mutateAsync({ content }, { onError: (error) => toastError(t, error, t('chat.sendFailed')) })
        }
        onNote={(body) =>
          addNote.mutateAsync(body, { onError: (error) => toastError(t, error, t('composer.noteFailed')) })
        }
      />
    </>
  );
}
