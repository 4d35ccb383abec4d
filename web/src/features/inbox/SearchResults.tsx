import { SearchXIcon } from 'lucide-react';
import { Fragment, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { useConversationList } from '@/api/conversations';
import { errorMessage } from '@/api/errorMessages';
import { MIN_SEARCH_LENGTH, useMessageSearch, type MessageSearchHit } from '@/api/messages';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { PersonAvatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { formatListTime } from '@/lib/format';
import { cn } from '@/lib/utils';
import { ConversationRow, ROW_HEIGHT, useNow } from './ConversationListView';
import { contactName } from './labels';
import { snippet } from './searchSnippet';

function Loading() {
  const { t } = useTranslation();
  return (
    <div className="flex justify-center py-3 text-muted-foreground" role="status">
      <Spinner />
      <span className="sr-only">{t('common.loading')}</span>
    </div>
  );
}

function LoadMore({ loading, onClick, label }: { loading: boolean; onClick: () => void; label: string }) {
  return (
    <div className="flex justify-center py-2">
      <Button variant="ghost" size="sm" className="text-primary" onClick={onClick} disabled={loading}>
        {loading ? <Spinner /> : null}
        {label}
      </Button>
    </div>
  );
}

function LoadFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex items-center gap-2 px-3 py-2 text-sm text-destructive" role="alert">
      <span className="flex-1">{errorMessage(t, error)}</span>
      <Button variant="outline" size="sm" onClick={onRetry}>
        {t('common.retry')}
      </Button>
    </div>
  );
}

/** One message found: who, when, and the words that matched; opens its conversation. */
function MessageHit({ hit, query, selected }: { hit: MessageSearchHit; query: string; selected: boolean }) {
  const { t, i18n } = useTranslation();
  const name = contactName(hit);
  const { message } = hit;
  return (
    <Link
      to={`/inbox/${message.conversation_id}?message=${message.id}`}
      aria-current={selected ? 'page' : undefined}
      className={cn(
        'flex items-start gap-3 border-b border-border/60 px-3 py-2.5 outline-none hover:bg-muted focus-visible:bg-accent focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset',
        selected && 'bg-secondary hover:bg-secondary',
      )}
      data-testid="message-hit"
    >
      <PersonAvatar name={name} src={hit.contact.avatar_url} className="size-11" />
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <span className="truncate font-medium">{name}</span>
          <time dateTime={message.created_at} className="ml-auto shrink-0 text-xs text-muted-foreground">
            {formatListTime(message.created_at, i18n.language, { yesterday: t('time.yesterday') })}
          </time>
        </div>
        <p className="line-clamp-2 text-sm break-words text-muted-foreground">
          {message.direction === 'outbound' ? `${t('inbox.searchResults.you')}: ` : null}
          {snippet(message.content ?? '', query).map((part, index) =>
            part.match ? (
              <mark key={index} className="rounded-sm bg-amber-200/80 px-0.5 text-foreground">
                {part.text}
              </mark>
            ) : (
              <Fragment key={index}>{part.text}</Fragment>
            ),
          )}
        </p>
      </div>
    </Link>
  );
}

/**
 * What the search box found, in two parts as WhatsApp Web shows them: the conversations whose
 * customer's name or phone matches (in the current tab and filters), then the messages of any
 * conversation the user may see that contain the words, newest first. Both load more by cursor.
 */
export function SearchResults({
  query,
  conversations,
  selectedId,
}: {
  query: string;
  conversations: ReturnType<typeof useConversationList>;
  selectedId: string | undefined;
}) {
  const { t } = useTranslation();
  const now = useNow();
  const messages = useMessageSearch(query);
  const conversationsId = useId();
  const messagesId = useId();
  const searchesMessages = query.length >= MIN_SEARCH_LENGTH;

  const nothing =
    conversations.isSuccess &&
    conversations.items.length === 0 &&
    (!searchesMessages || (messages.isSuccess && messages.items.length === 0));
  if (nothing) {
    return <EmptyState icon={SearchXIcon} title={t('inbox.empty')} description={t('inbox.emptySearch', { query })} />;
  }

  let messageBody;
  if (!searchesMessages) {
    messageBody = (
      <p className="px-3 py-2 text-sm text-muted-foreground">
        {t('inbox.searchResults.tooShort', { count: MIN_SEARCH_LENGTH })}
      </p>
    );
  } else if (messages.isPending) {
    messageBody = <Loading />;
  } else if (messages.isError && messages.items.length === 0) {
    messageBody = <LoadFailed error={messages.error} onRetry={() => void messages.refetch()} />;
  } else if (messages.items.length === 0) {
    messageBody = <p className="px-3 py-2 text-sm text-muted-foreground">{t('inbox.searchResults.noMessages')}</p>;
  } else {
    messageBody = (
      <ul aria-labelledby={messagesId}>
        {messages.items.map((hit) => (
          <li key={hit.message.id}>
            <MessageHit hit={hit} query={query} selected={hit.message.conversation_id === selectedId} />
          </li>
        ))}
      </ul>
    );
  }

  return (
    <div className="min-h-0 flex-1 overflow-y-auto" data-testid="search-results">
      <section aria-labelledby={conversationsId}>
        <h2 id={conversationsId} className="px-3 pt-3 pb-1 text-xs font-semibold tracking-wide text-primary uppercase">
          {t('inbox.searchResults.conversations')}
        </h2>
        {conversations.isPending ? (
          <Loading />
        ) : conversations.isError && conversations.items.length === 0 ? (
          <LoadFailed error={conversations.error} onRetry={() => void conversations.refetch()} />
        ) : conversations.items.length === 0 ? (
          <p className="px-3 py-2 text-sm text-muted-foreground">{t('inbox.searchResults.noConversations')}</p>
        ) : (
          <ul aria-labelledby={conversationsId}>
            {conversations.items.map((conversation) => (
              <li key={conversation.id} style={{ height: ROW_HEIGHT }}>
                <ConversationRow conversation={conversation} selected={conversation.id === selectedId} now={now} />
              </li>
            ))}
          </ul>
        )}
        {conversations.hasNextPage ? (
          <LoadMore
            loading={conversations.isFetchingNextPage}
            onClick={() => void conversations.fetchNextPage()}
            label={t('inbox.searchResults.moreConversations')}
          />
        ) : null}
      </section>
      <section aria-labelledby={messagesId}>
        <h2 id={messagesId} className="px-3 pt-3 pb-1 text-xs font-semibold tracking-wide text-primary uppercase">
          {t('inbox.searchResults.messages')}
        </h2>
        {messageBody}
        {messages.hasNextPage ? (
          <LoadMore
            loading={messages.isFetchingNextPage}
            onClick={() => void messages.fetchNextPage()}
            label={t('inbox.searchResults.moreMessages')}
          />
        ) : null}
      </section>
    </div>
  );
}
