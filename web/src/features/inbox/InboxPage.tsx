import { TriangleAlertIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { useConversation } from '@/api/conversations';
import { errorMessage } from '@/api/errorMessages';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { cn } from '@/lib/utils';
import { ChatPane, NoConversationSelected } from './ChatPane';
import { ConversationColumn } from './ConversationColumn';
import { CustomerPanel, NoCustomerSelected } from './CustomerPanel';

/**
 * WhatsApp-Web-like inbox: list | chat | customer panel.
 *  - ≥1280 px: the three columns side by side.
 *  - 768–1279 px: list and chat; the customer panel replaces the chat when opened.
 *  - phones: one column at a time — list, then chat (/inbox/:id), then panel (?panel=customer),
 *    each with a back link, so the browser's back button walks the same way.
 */
export function InboxPage() {
  const { t } = useTranslation();
  const { conversationId } = useParams();
  const [params] = useSearchParams();
  const panelOpen = params.get('panel') === 'customer';
  const conversation = useConversation(conversationId);
  const chatHref = `/inbox/${conversationId ?? ''}`;
  const panelHref = `${chatHref}?panel=customer`;

  let chat;
  let panel;
  if (!conversationId) {
    chat = <NoConversationSelected />;
    panel = <NoCustomerSelected />;
  } else if (conversation.isPending) {
    chat = (
      <div className="flex h-full items-center justify-center" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
    panel = null;
  } else if (conversation.isError) {
    chat = (
      <EmptyState
        icon={TriangleAlertIcon}
        title={t('chat.loadFailed')}
        description={errorMessage(t, conversation.error)}
      />
    );
    panel = <NoCustomerSelected />;
  } else {
    chat = <ChatPane conversation={conversation.data} panelHref={panelHref} />;
    panel = <CustomerPanel conversation={conversation.data} closeHref={chatHref} />;
  }

  const showPanelAlone = Boolean(conversationId) && panelOpen;

  return (
    <div className="flex h-full min-h-0">
      <section
        aria-label={t('inbox.conversations')}
        className={cn(
          'w-full min-w-0 flex-col bg-card md:flex md:w-80 md:shrink-0 md:border-r lg:w-96',
          conversationId ? 'hidden' : 'flex',
        )}
      >
        <ConversationColumn selectedId={conversationId} />
      </section>
      <section
        aria-label={t('chat.label')}
        className={cn(
          'min-w-0 flex-1 flex-col bg-chat',
          conversationId ? 'flex' : 'hidden md:flex',
          showPanelAlone && 'hidden xl:flex',
        )}
      >
        {chat}
      </section>
      <aside
        aria-label={t('customer.title')}
        className={cn(
          'min-w-0 flex-col border-l bg-card xl:flex xl:w-80 xl:flex-none 2xl:w-96',
          showPanelAlone ? 'flex flex-1' : 'hidden',
        )}
      >
        {panel}
      </aside>
    </div>
  );
}
