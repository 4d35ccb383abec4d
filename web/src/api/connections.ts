import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  connectionsConnectionQr,
  connectionsCreateConnection,
  connectionsDeleteConnection,
  connectionsGetConnection,
  connectionsLogoutConnection,
  connectionsStartConnection,
  connectionsStopConnection,
  connectionsUpdateConnection,
  type ConnectionAdminRead,
  type ConnectionCreate,
  type ConnectionQr,
  type ConnectionStatus,
  type ConnectionUpdate,
} from '@/client';
import type { EventPayloads } from '@/realtime/events';

// The list is useConnections (./reference), under ['connections', 'list'].
export const connectionKeys = {
  all: ['connections'] as const,
  detail: (id: string) => ['connections', 'detail', id] as const,
  qr: (id: string) => ['connections', 'qr', id] as const,
};

/** While a gateway session is coming up or waits for its QR to be scanned, its status and
 *  QR change by themselves; poll until the real-time event arrives instead. */
export const LIVE_STATUSES: ConnectionStatus[] = ['starting', 'qr'];
const POLL_MS = 3000;

export function useConnection(id: string) {
  return useQuery({
    queryKey: connectionKeys.detail(id),
    queryFn: async ({ signal }) => (await connectionsGetConnection({ path: { connection_id: id }, signal })).data,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status && LIVE_STATUSES.includes(status) ? POLL_MS : false;
    },
  });
}

/** The pairing QR, read from the gateway itself: it rotates every few seconds, so the one
 *  stored with the connection may already be stale. Only while the status is `qr`. */
export function useConnectionQr(id: string, enabled: boolean) {
  return useQuery({
    queryKey: connectionKeys.qr(id),
    queryFn: async ({ signal }) => (await connectionsConnectionQr({ path: { connection_id: id }, signal })).data,
    enabled,
    refetchInterval: POLL_MS,
  });
}

function useConnectionMutation<TVariables, TResult>(fn: (variables: TVariables) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

export function useCreateConnection() {
  return useConnectionMutation(async (body: ConnectionCreate) => (await connectionsCreateConnection({ body })).data);
}

export function useUpdateConnection() {
  return useConnectionMutation(
    async ({ id, body }: { id: string; body: ConnectionUpdate }): Promise<ConnectionAdminRead> =>
      (await connectionsUpdateConnection({ path: { connection_id: id }, body })).data,
  );
}

export function useDeleteConnection() {
  return useConnectionMutation(async (id: string) => {
    await connectionsDeleteConnection({ path: { connection_id: id } });
  });
}

export type SessionAction = 'start' | 'stop' | 'logout';

const sessionCalls = {
  start: connectionsStartConnection,
  stop: connectionsStopConnection,
  logout: connectionsLogoutConnection,
} satisfies Record<SessionAction, unknown>;

/** Start (any provider but the sandbox), stop or log out (WhatsApp Web gateways) a
 *  connection. The answer is the connection in its new state. */
export function useSessionAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: SessionAction }) =>
      (await sessionCalls[action]({ path: { connection_id: id } })).data,
    onSuccess: (connection) => {
      queryClient.setQueryData(connectionKeys.detail(connection.id), connection);
      void queryClient.invalidateQueries({ queryKey: ['connections', 'list'] });
    },
  });
}

/** The `connection-status` real-time event (docs/realtime.md). */
export type ConnectionStatusEvent = EventPayloads['connection-status'];

/** Apply a `connection-status` event to the cached connection, so its card updates live. */
export function applyConnectionStatus(queryClient: QueryClient, event: ConnectionStatusEvent): void {
  queryClient.setQueryData<ConnectionAdminRead>(connectionKeys.detail(event.connection_id), (current) =>
    current
      ? {
          ...current,
          status: event.status,
          status_reason: event.reason,
          phone_number: event.phone_number,
          qr_code: event.qr_code,
        }
      : current,
  );
  // The QR card reads its own query: a fresh code (or none, once paired) replaces it at once.
  queryClient.setQueryData<ConnectionQr>(connectionKeys.qr(event.connection_id), {
    status: event.status,
    qr_code: event.qr_code,
  });
  void queryClient.invalidateQueries({ queryKey: ['connections', 'list'] });
}
