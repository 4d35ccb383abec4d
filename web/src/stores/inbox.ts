import { create } from 'zustand';
import type { ConversationTab } from '@/client';
import type { ConversationFilters } from '@/api/conversations';

/** UI state of the inbox that outlives navigation between conversations. */
type InboxState = {
  tab: ConversationTab;
  search: string;
  filters: ConversationFilters;
  setTab: (tab: ConversationTab) => void;
  setSearch: (search: string) => void;
  setFilter: <K extends keyof ConversationFilters>(key: K, value: ConversationFilters[K] | undefined) => void;
  clearFilters: () => void;
};

export const useInbox = create<InboxState>((set) => ({
  tab: 'mine',
  search: '',
  filters: {},
  setTab: (tab) => set({ tab }),
  setSearch: (search) => set({ search }),
  setFilter: (key, value) =>
    set((state) => {
      const filters = { ...state.filters };
      if (value === undefined) delete filters[key];
      else filters[key] = value;
      return { filters };
    }),
  clearFilters: () => set({ filters: {} }),
}));
