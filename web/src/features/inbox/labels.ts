import type { ConversationRead, ConversationStatus, Priority } from '@/client';
import type { BadgeProps } from '@/components/ui/badge';

export function contactName(conversation: Pick<ConversationRead, 'contact'>): string {
  return conversation.contact.name || conversation.contact.phone || '—';
}

export const statusVariant: Record<ConversationStatus, BadgeProps['variant']> = {
  bot: 'muted',
  waiting: 'warning',
  assigned: 'success',
  resolved: 'secondary',
  archived: 'muted',
};

export const priorityVariant: Record<Priority, BadgeProps['variant']> = {
  low: 'muted',
  normal: 'secondary',
  high: 'warning',
  urgent: 'destructive',
};

/** The kinds of conversation history entries (T7) the UI has words for. */
export const HISTORY_KINDS = [
  'created',
  'department_selected',
  'queued',
  'assigned',
  'unassigned',
  'transferred',
  'resolved',
  'reopened',
  'archived',
  'expired',
  'timeout_redirected',
  'priority_changed',
  'tagged',
  'untagged',
  'customer_renamed',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

export function isHistoryKind(kind: string): kind is HistoryKind {
  return (HISTORY_KINDS as readonly string[]).includes(kind);
}

const STATUSES: ConversationStatus[] = ['bot', 'waiting', 'assigned', 'resolved', 'archived'];

export function isConversationStatus(value: string | null): value is ConversationStatus {
  return STATUSES.includes(value as ConversationStatus);
}

/** A waiting time in the queue, short: "45 s", "12 min", "3 h", "2 d". */
export function formatWaiting(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}
