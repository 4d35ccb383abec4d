import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { auditListAuditEntries, auditVerifyAuditChain, type AuditListAuditEntriesData } from '@/client';

export type AuditFilters = Omit<NonNullable<AuditListAuditEntriesData['query']>, 'before' | 'limit'>;

const PAGE_SIZE = 50;

export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ['audit', 'list', filters] as const,
    queryFn: async ({ pageParam, signal }) =>
      (
        await auditListAuditEntries({
          query: { ...filters, limit: PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) },
          signal,
        })
      ).data,
    initialPageParam: null as number | null,
    // The cursor is the sequence to read before (newest first).
    getNextPageParam: (page) => (page.next_cursor ? Number(page.next_cursor) : null),
  });
}

/** Whether the hash chain is intact; admins only (the API refuses supervisors). */
export function useAuditChain() {
  return useQuery({
    queryKey: ['audit', 'verify'] as const,
    queryFn: async ({ signal }) => (await auditVerifyAuditChain({ signal })).data,
  });
}
