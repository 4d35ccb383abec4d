import { InboxIcon, ListFilterIcon, SearchIcon, TriangleAlertIcon } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationStatus, ConversationTab } from '@/client';
import { useConversationCounts, useConversationList, type ConversationFilters } from '@/api/conversations';
import { useDepartments } from '@/api/departments';
import { errorMessage } from '@/api/errorMessages';
import { useConnections, useTags } from '@/api/reference';
import { isSupervisorOrAdmin, useAuth } from '@/auth/store';
import { EmptyState } from '@/components/EmptyState';
import { Spinner } from '@/components/Spinner';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Tabs, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { useInbox } from '@/stores/inbox';
import { ConversationListView } from './ConversationListView';
import { SearchResults } from './SearchResults';

/** Agents see their own conversations and their departments' queues (T4); "all" is for
 *  supervisors and admins. */
const AGENT_TABS: ConversationTab[] = ['mine', 'queue'];
const ALL_TABS: ConversationTab[] = ['mine', 'queue', 'all'];
const STATUSES: ConversationStatus[] = ['bot', 'waiting', 'assigned', 'resolved', 'archived'];
/** Radix Select has no empty value: this one means "no filter". */
const ANY = '__any__';

function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  onChange: (value: string | undefined) => void;
}) {
  const { t } = useTranslation();
  return (
    <Select value={value ?? ANY} onValueChange={(next) => onChange(next === ANY ? undefined : next)}>
      <SelectTrigger className="h-8 bg-muted text-xs" aria-label={label}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ANY}>{t('inbox.filters.any', { filter: label })}</SelectItem>
        {options.map((option) => (
          <SelectItem key={option.value} value={option.value}>
            {option.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

function Filters() {
  const { t } = useTranslation();
  const filters = useInbox((state) => state.filters);
  const setFilter = useInbox((state) => state.setFilter);
  const departments = useDepartments({ is_active: true });
  const tags = useTags();
  const connections = useConnections();
  const set = (key: keyof ConversationFilters) => (value: string | undefined) =>
    setFilter(key, value as ConversationStatus | undefined);
  return (
    <div className="grid grid-cols-2 gap-2" role="group" aria-label={t('inbox.filters.label')}>
      <FilterSelect
        label={t('inbox.filters.department')}
        value={filters.department_id}
        options={(departments.data ?? []).map((item) => ({ value: item.id, label: item.name }))}
        onChange={set('department_id')}
      />
      <FilterSelect
        label={t('inbox.filters.status')}
        value={filters.status}
        options={STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))}
        onChange={set('status')}
      />
      <FilterSelect
        label={t('inbox.filters.tag')}
        value={filters.tag_id}
        options={(tags.data ?? []).map((item) => ({ value: item.id, label: item.name }))}
        onChange={set('tag_id')}
      />
      <FilterSelect
        label={t('inbox.filters.connection')}
        value={filters.connection_id}
        options={(connections.data ?? []).map((item) => ({ value: item.id, label: item.name }))}
        onChange={set('connection_id')}
      />
    </div>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function ConversationColumn({ selectedId }: { selectedId: string | undefined }) {
  const { t } = useTranslation();
  const tab = useInbox((state) => state.tab);
  const setTab = useInbox((state) => state.setTab);
  const search = useInbox((state) => state.search);
  const setSearch = useInbox((state) => state.setSearch);
  const filters = useInbox((state) => state.filters);
  const [showFilters, setShowFilters] = useState(false);
  const user = useAuth((state) => state.user);
  const tabs = isSupervisorOrAdmin(user) ? ALL_TABS : AGENT_TABS;
  const query = useDebounced(search.trim(), 250);
  const list = useConversationList(tab, query, filters);
  const activeFilters = Object.keys(filters).length;
  const counts = useConversationCounts();
  const { fetchNextPage } = list;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const badge: Partial<Record<ConversationTab, number>> = {
    mine: counts.data?.mine,
    queue: counts.data?.queue,
  };

  let body;
  if (query) {
    body = <SearchResults query={query} conversations={list} selectedId={selectedId} />;
  } else if (list.isPending) {
    body = (
      <div className="flex flex-1 items-center justify-center" role="status">
        <Spinner className="size-5 text-primary" />
        <span className="sr-only">{t('common.loading')}</span>
      </div>
    );
  } else if (list.isError && list.items.length === 0) {
    body = (
      <EmptyState
        icon={TriangleAlertIcon}
        title={t('inbox.loadFailed')}
        description={errorMessage(t, list.error)}
        action={
          <Button variant="outline" onClick={() => void list.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  } else if (list.items.length === 0) {
    body = (
      <EmptyState
        icon={InboxIcon}
        title={t('inbox.empty')}
        description={t(`inbox.emptyTab.${tab}`)}
      />
    );
  } else {
    body = (
      <ConversationListView
        items={list.items}
        selectedId={selectedId}
        hasMore={Boolean(list.hasNextPage)}
        loadingMore={list.isFetchingNextPage}
        onLoadMore={loadMore}
        label={t('inbox.listLabel', { tab: t(`inbox.tabs.${tab}`) })}
      />
    );
  }

  return (
    <>
      <div className="flex flex-col gap-2 border-b p-3">
        <h1 className="sr-only">{t('nav.inbox')}</h1>
        <Tabs value={tab} onValueChange={(value) => setTab(value as ConversationTab)}>
          <TabsList className="w-full" aria-label={t('inbox.tabsLabel')}>
            {tabs.map((value) => (
              <TabsTrigger key={value} value={value}>
                {t(`inbox.tabs.${value}`)}
                {badge[value] ? (
                  <span className="rounded-full bg-primary px-1.5 text-xs leading-5 text-primary-foreground">
                    {badge[value]}
                  </span>
                ) : null}
              </TabsTrigger>
            ))}
          </TabsList>
        </Tabs>
        <div className="flex gap-1">
          <div className="relative flex-1">
            <SearchIcon
              className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
              aria-hidden="true"
            />
            <Input
              type="search"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              placeholder={t('inbox.searchPlaceholder')}
              aria-label={t('inbox.search')}
              className="bg-muted pl-9"
            />
          </div>
          <Button
            variant={activeFilters ? 'secondary' : 'ghost'}
            size="icon"
            aria-label={t('inbox.filters.toggle', { count: activeFilters })}
            aria-expanded={showFilters}
            onClick={() => setShowFilters(!showFilters)}
          >
            <ListFilterIcon aria-hidden="true" />
          </Button>
        </div>
        {showFilters ? <Filters /> : null}
      </div>
      {body}
    </>
  );
}
