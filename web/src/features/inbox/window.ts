import type { ConnectionRead, ConversationRead } from '@/client';

/** The Cloud API's customer-service window (M7): 24 h after the customer's last message. */
export const SERVICE_WINDOW_MS = 24 * 3600 * 1000;

export type WindowState = { kind: 'none' } | { kind: 'open'; closesAt: Date } | { kind: 'closed' };

/** Only Cloud API numbers have the window; other channels can always be answered. */
export function serviceWindow(
  conversation: Pick<ConversationRead, 'connection_id' | 'last_inbound_at'>,
  connections: ConnectionRead[] | undefined,
  now = Date.now(),
): WindowState {
  const connection = connections?.find((item) => item.id === conversation.connection_id);
  if (connection?.channel !== 'cloud_api') return { kind: 'none' };
  const last = conversation.last_inbound_at ? Date.parse(conversation.last_inbound_at) : NaN;
  if (Number.isNaN(last) || now - last >= SERVICE_WINDOW_MS) return { kind: 'closed' };
  return { kind: 'open', closesAt: new Date(last + SERVICE_WINDOW_MS) };
}
