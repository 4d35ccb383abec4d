/** A conversation's messages: history (newest first, cursor pages), sending (text and files),
 *  resending, and the bytes of their media. */
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useMemo } from 'react';
import {
  messagesListMessages,
  messagesReadMessageMedia,
  messagesResendMessage,
  messagesSearchMessages,
  messagesSendMedia,
  messagesSendMessage,
  messagesSendTemplate,
  type MessageRead,
  type MessageSearchHit,
  type PageMessageRead,
  type SendTemplate,
} from '@/client';
import { conversationKeys } from './conversations';

export type { MessageRead, MessageSearchHit };
export type MessagesData = InfiniteData<PageMessageRead, string | undefined>;

const PAGE_SIZE = 50;

export function useMessages(conversationId: string) {
  const query = useInfiniteQuery({
    queryKey: conversationKeys.messages(conversationId),
    queryFn: async ({ pageParam, signal }) =>
      (
        await messagesListMessages({
          path: { conversation_id: conversationId },
          query: { limit: PAGE_SIZE, cursor: pageParam },
          signal,
        })
      ).data,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    // Live updates come from the socket; a refetch would re-download every loaded page.
    staleTime: Infinity,
  });
  // Pages run newest → oldest; the chat shows oldest → newest. Memoised: the chat keeps its
  // scroll position by comparing renders, which only a real change should trigger.
  const { data } = query;
  const items = useMemo<MessageRead[]>(
    () => (data?.pages.flatMap((page) => page.items) ?? []).reverse(),
    [data],
  );
  return { ...query, items };
}

/** Shorter queries would match most words of most messages. */
export const MIN_SEARCH_LENGTH = 2;
const SEARCH_PAGE_SIZE = 20;

/** Full-text search of the messages of every conversation the user may see, newest first,
 *  page by page (cursor). Idle while the query is shorter than MIN_SEARCH_LENGTH. */
export function useMessageSearch(query: string) {
  const result = useInfiniteQuery({
    queryKey: ['messages', 'search', query],
    queryFn: async ({ pageParam, signal }) =>
      (await messagesSearchMessages({ query: { q: query, limit: SEARCH_PAGE_SIZE, cursor: pageParam }, signal })).data,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    enabled: query.length >= MIN_SEARCH_LENGTH,
  });
  const items: MessageSearchHit[] = result.data?.pages.flatMap((page) => page.items) ?? [];
  return { ...result, items };
}

/** Put a message in its conversation's history (newest first), replacing one with the same id. */
export function upsertMessage(data: MessagesData | undefined, message: MessageRead): MessagesData | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => ({
    ...page,
    items: page.items.map((item) => {
      if (item.id !== message.id) return item;
      found = true;
      return { ...item, ...message };
    }),
  }));
  if (!found && pages[0]) pages[0] = { ...pages[0], items: [message, ...pages[0].items] };
  return { ...data, pages };
}

/** Puts a message the server accepted into its conversation's history at once. */
function useAddToHistory(conversationId: string) {
  const queryClient = useQueryClient();
  return (message: MessageRead) =>
    queryClient.setQueryData<MessagesData>(conversationKeys.messages(conversationId), (data) =>
      upsertMessage(data, message),
    );
}

export function useSendText(conversationId: string) {
  const addToHistory = useAddToHistory(conversationId);
  return useMutation({
    mutationFn: async ({ content, replyToId }: { content: string; replyToId?: string }) =>
      (
        await messagesSendMessage({
          body: {
            conversation_id: conversationId,
            content,
            reply_to_id: replyToId ?? null,
            // The same key on a retried request: the server stores the message once (M4).
            idempotency_key: crypto.randomUUID(),
          },
        })
      ).data,
    onSuccess: addToHistory,
  });
}

/** An approved template (Cloud API), the only message allowed outside the 24-hour window. */
export function useSendTemplate(conversationId: string) {
  const addToHistory = useAddToHistory(conversationId);
  return useMutation({
    mutationFn: async (template: Omit<SendTemplate, 'conversation_id' | 'idempotency_key'>) =>
      (
        await messagesSendTemplate({
          body: { ...template, conversation_id: conversationId, idempotency_key: crypto.randomUUID() },
        })
      ).data,
    onSuccess: addToHistory,
  });
}

export function useResend(conversationId: string) {
  const addToHistory = useAddToHistory(conversationId);
  return useMutation({
    mutationFn: async (messageId: string) =>
      (await messagesResendMessage({ path: { message_id: messageId } })).data,
    onSuccess: addToHistory,
  });
}

export function useSendMedia(conversationId: string) {
  const addToHistory = useAddToHistory(conversationId);
  return useMutation({
    mutationFn: async ({ file, caption }: { file: File; caption?: string }) =>
      (
        await messagesSendMedia({
          body: {
            conversation_id: conversationId,
            file,
            caption: caption || null,
            idempotency_key: crypto.randomUUID(),
          },
        })
      ).data,
    onSuccess: addToHistory,
  });
}

/** A message's stored file. Fetched with the access token (the app's HTTP client adds it):
 *  an <img src> could not send it, and a token in a URL would end up in logs. */
export async function fetchMessageMedia(messageId: string, signal?: AbortSignal): Promise<Blob> {
  const { data } = await messagesReadMessageMedia({ path: { message_id: messageId }, parseAs: 'blob', signal });
  return data;
}
