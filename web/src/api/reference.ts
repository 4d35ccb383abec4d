/** Company reference data the inbox labels and pickers need; it changes rarely. */
import { useQuery } from '@tanstack/react-query';
import {
  closingReasonsListClosingReasons,
  connectionsListConnections,
  quickRepliesListQuickReplies,
  settingsGetSettings,
  tagsListTags,
  templatesListTemplates,
} from '@/client';

const RARELY = 5 * 60_000;

export function useTags() {
  return useQuery({
    queryKey: ['tags'],
    queryFn: async ({ signal }) => (await tagsListTags({ signal })).data,
    staleTime: RARELY,
  });
}

export function useConnections() {
  return useQuery({
    queryKey: ['connections', 'list'],
    queryFn: async ({ signal }) => (await connectionsListConnections({ signal })).data,
    staleTime: RARELY,
  });
}

/** A Cloud API number's approved templates, read from Meta when first needed. */
export function useTemplates(connectionId: string | null, enabled = true) {
  return useQuery({
    queryKey: ['templates', connectionId],
    queryFn: async ({ signal }) =>
      (await templatesListTemplates({ query: { connection_id: connectionId! }, signal })).data,
    enabled: enabled && Boolean(connectionId),
    staleTime: RARELY,
  });
}

export function useClosingReasons() {
  return useQuery({
    queryKey: ['closing-reasons'],
    queryFn: async ({ signal }) => (await closingReasonsListClosingReasons({ signal })).data,
    staleTime: RARELY,
  });
}

export function useQuickReplies() {
  return useQuery({
    queryKey: ['quick-replies'],
    queryFn: async ({ signal }) => (await quickRepliesListQuickReplies({ signal })).data,
    staleTime: RARELY,
  });
}

export function useCompanySettings() {
  return useQuery({
    queryKey: ['settings'],
    queryFn: async ({ signal }) => (await settingsGetSettings({ signal })).data,
    staleTime: RARELY,
  });
}
