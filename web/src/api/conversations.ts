/**
 * Conversation data for the inbox. Components read only these hooks; the real-time layer
 * (src/realtime) patches the same query caches on socket events, so nothing here polls.
 */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import {
  conversationsAddNote,
  conversationsAssignConversation,
  conversationsConversationCounts,
  conversationsConversationHistory,
  conversationsGetConversation,
  conversationsListConversations,
  conversationsListNotes,
  conversationsRenameCustomer,
  conversationsReopenConversation,
  conversationsResolveConversation,
  conversationsSetPriority,
  conversationsSetTags,
  conversationsTransferConversation,
  conversationsUnassignConversation,
  type ConversationRead,
  type ConversationStatus,
  type ConversationTab,
  type PageConversationRead,
  type Priority,
  type ResolveRequest,
  type TransferRequest,
} from '@/client';

export type { ConversationRead, ConversationTab };

/** The list filters beside the tab and the search. */
export type ConversationFilters = {
  department_id?: string;
  status?: ConversationStatus;
  tag_id?: string;
  connection_id?: string;
};

export const conversationKeys = {
  all: ['conversations'] as const,
  lists: ['conversations', 'list'] as const,
  list: (tab: ConversationTab, search: string, filters: ConversationFilters = {}) =>
    ['conversations', 'list', tab, search, filters] as const,
  counts: ['conversations', 'counts'] as const,
  one: (id: string) => ['conversations', 'one', id] as const,
  messages: (id: string) => ['conversations', 'messages', id] as const,
  notes: (id: string) => ['conversations', 'notes', id] as const,
  history: (id: string) => ['conversations', 'history', id] as const,
  ofContact: (contactId: string) => ['conversations', 'contact', contactId] as const,
};

export type ConversationListData = InfiniteData<PageConversationRead, string | undefined>;

const PAGE_SIZE = 50;

/** One tab of the list, fetched page by page (cursor) as the virtual list scrolls. */
export function useConversationList(tab: ConversationTab, search: string, filters: ConversationFilters = {}) {
  const query = useInfiniteQuery({
    queryKey: conversationKeys.list(tab, search, filters),
    queryFn: async ({ pageParam, signal }) =>
      (
        await conversationsListConversations({
          query: {
            tab,
            search: search || undefined,
            limit: PAGE_SIZE,
            cursor: pageParam,
            department_id: filters.department_id,
            status: filters.status ? [filters.status] : undefined,
            tag_id: filters.tag_id,
            connection_id: filters.connection_id,
          },
          signal,
        })
      ).data,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const items: ConversationRead[] = query.data?.pages.flatMap((page) => page.items) ?? [];
  return { ...query, items };
}

export function useConversationCounts() {
  return useQuery({
    queryKey: conversationKeys.counts,
    queryFn: async ({ signal }) => (await conversationsConversationCounts({ signal })).data,
  });
}

export function useConversation(id: string | undefined) {
  return useQuery({
    queryKey: conversationKeys.one(id ?? ''),
    queryFn: async ({ signal }) =>
      (await conversationsGetConversation({ path: { conversation_id: id! }, signal })).data,
    enabled: Boolean(id),
  });
}

/** The contact's other conversations (its history across tickets, M5). */
export function useContactConversations(contactId: string) {
  return useQuery({
    queryKey: conversationKeys.ofContact(contactId),
    queryFn: async ({ signal }) =>
      (await conversationsListConversations({ query: { tab: 'all', contact_id: contactId, limit: 20 }, signal }))
        .data.items,
  });
}

export function useNotes(conversationId: string) {
  return useQuery({
    queryKey: conversationKeys.notes(conversationId),
    queryFn: async ({ signal }) =>
      (await conversationsListNotes({ path: { conversation_id: conversationId }, signal })).data,
  });
}

export function useConversationHistory(conversationId: string) {
  return useQuery({
    queryKey: conversationKeys.history(conversationId),
    queryFn: async ({ signal }) =>
      (await conversationsConversationHistory({ path: { conversation_id: conversationId }, signal })).data,
  });
}

/**
 * A conversation action: the answer is the updated conversation, put in its cache at once;
 * the lists and counts follow (membership of a tab may have changed).
 */
function useConversationAction<TVariables>(
  conversationId: string,
  fn: (id: string, variables: TVariables) => Promise<ConversationRead>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: TVariables) => fn(conversationId, variables),
    onSuccess: (conversation) => {
      queryClient.setQueryData(conversationKeys.one(conversation.id), conversation);
      void queryClient.invalidateQueries({ queryKey: conversationKeys.lists });
      void queryClient.invalidateQueries({ queryKey: conversationKeys.counts });
      void queryClient.invalidateQueries({ queryKey: conversationKeys.history(conversation.id) });
    },
  });
}

const path = (id: string) => ({ conversation_id: id });

export const useAssign = (id: string) =>
  useConversationAction(id, async (cid, userId: string | null) =>
    (await conversationsAssignConversation({ path: path(cid), body: { user_id: userId } })).data,
  );
export const useUnassign = (id: string) =>
  useConversationAction(id, async (cid, _: void) => (await conversationsUnassignConversation({ path: path(cid) })).data);
export const useTransfer = (id: string) =>
  useConversationAction(id, async (cid, body: TransferRequest) =>
    (await conversationsTransferConversation({ path: path(cid), body })).data,
  );
export const useResolve = (id: string) =>
  useConversationAction(id, async (cid, body: ResolveRequest) =>
    (await conversationsResolveConversation({ path: path(cid), body })).data,
  );
export const useReopen = (id: string) =>
  useConversationAction(id, async (cid, _: void) => (await conversationsReopenConversation({ path: path(cid) })).data);
export const useRenameCustomer = (id: string) =>
  useConversationAction(id, async (cid, name: string) =>
    (await conversationsRenameCustomer({ path: path(cid), body: { name } })).data,
  );
export const useSetTags = (id: string) =>
  useConversationAction(id, async (cid, tagIds: string[]) =>
    (await conversationsSetTags({ path: path(cid), body: { tag_ids: tagIds } })).data,
  );
export const useSetPriority = (id: string) =>
  useConversationAction(id, async (cid, priority: Priority) =>
    (await conversationsSetPriority({ path: path(cid), body: { priority } })).data,
  );

export function useAddNote(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: string) =>
      (await conversationsAddNote({ path: path(conversationId), body: { body } })).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: conversationKeys.notes(conversationId) }),
  });
}
