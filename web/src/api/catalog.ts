/** The company's catalogs that admins keep as simple lists: quick replies, closing reasons
 *  and tags. One query and one set of mutations serve all three, keyed by kind. */
import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import {
  closingReasonsCreateClosingReason,
  closingReasonsDeleteClosingReason,
  closingReasonsUpdateClosingReason,
  quickRepliesCreateQuickReply,
  quickRepliesDeleteQuickReply,
  quickRepliesUpdateQuickReply,
  tagsCreateTag,
  tagsDeleteTag,
  tagsUpdateTag,
  type ClosingReasonCreate,
  type ClosingReasonRead,
  type ClosingReasonUpdate,
  type QuickReplyCreate,
  type QuickReplyRead,
  type QuickReplyUpdate,
  type TagCreate,
  type TagRead,
  type TagUpdate,
} from '@/client';
import { useClosingReasons, useQuickReplies, useTags } from './reference';

// The forms always send every field, so an update takes the same body as a create.
export type CatalogTypes = {
  quickReplies: { read: QuickReplyRead; body: QuickReplyCreate & QuickReplyUpdate };
  closingReasons: { read: ClosingReasonRead; body: ClosingReasonCreate & ClosingReasonUpdate };
  tags: { read: TagRead; body: TagCreate & TagUpdate };
};
export type CatalogKind = keyof CatalogTypes;
export type CatalogItem<K extends CatalogKind> = CatalogTypes[K]['read'];

type Endpoints<K extends CatalogKind> = {
  /** The list query the inbox's pickers share (src/api/reference.ts), and its cache key. */
  useList: () => UseQueryResult<CatalogTypes[K]['read'][]>;
  listKey: readonly string[];
  create: (body: CatalogTypes[K]['body']) => Promise<CatalogTypes[K]['read']>;
  update: (id: string, body: CatalogTypes[K]['body']) => Promise<CatalogTypes[K]['read']>;
  remove: (id: string) => Promise<void>;
};

const endpoints: { [K in CatalogKind]: Endpoints<K> } = {
  quickReplies: {
    useList: useQuickReplies,
    listKey: ['quick-replies'],
    create: async (body) => (await quickRepliesCreateQuickReply({ body })).data,
    update: async (id, body) => (await quickRepliesUpdateQuickReply({ path: { quick_reply_id: id }, body })).data,
    remove: async (id) => {
      await quickRepliesDeleteQuickReply({ path: { quick_reply_id: id } });
    },
  },
  closingReasons: {
    useList: useClosingReasons,
    listKey: ['closing-reasons'],
    create: async (body) => (await closingReasonsCreateClosingReason({ body })).data,
    update: async (id, body) =>
      (await closingReasonsUpdateClosingReason({ path: { closing_reason_id: id }, body })).data,
    remove: async (id) => {
      await closingReasonsDeleteClosingReason({ path: { closing_reason_id: id } });
    },
  },
  tags: {
    useList: useTags,
    listKey: ['tags'],
    create: async (body) => (await tagsCreateTag({ body })).data,
    update: async (id, body) => (await tagsUpdateTag({ path: { tag_id: id }, body })).data,
    remove: async (id) => {
      await tagsDeleteTag({ path: { tag_id: id } });
    },
  },
};

/** `kind` must not change for the life of the component (it picks the hook). */
export function useCatalog<K extends CatalogKind>(kind: K): UseQueryResult<CatalogTypes[K]['read'][]> {
  return (endpoints[kind] as Endpoints<K>).useList();
}

export function useCatalogMutations<K extends CatalogKind>(kind: K) {
  const api = endpoints[kind] as Endpoints<K>;
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: api.listKey });
  return {
    create: useMutation({ mutationFn: api.create, onSuccess }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: CatalogTypes[K]['body'] }) => api.update(id, body),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: api.remove, onSuccess }),
  };
}
