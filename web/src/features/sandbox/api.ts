/**
 * The simulated phone's side of the sandbox channel (C6). The phone is not a user of the
 * API: it speaks the channel's own protocol — the webhook (src/nexus/channels/sandbox.py) to
 * send, and the sandbox read API (src/nexus/sandbox/) to see the chat — authenticated with
 * the connection's sandbox token, so it has its own small client instead of the generated one.
 */

export type ChatItem = {
  /** The provider id: what the phone sent, or the company message's `sbx_…` id. */
  id: string;
  /** The company's point of view: "inbound" was sent by this phone. */
  direction: 'inbound' | 'outbound';
  type: string;
  text: string | null;
  media: { url: string | null; mime_type: string | null; filename: string | null } | null;
  payload: { menu?: MenuOption[]; [key: string]: unknown } | null;
  status: string;
  is_bot: boolean;
  sender_name: string | null;
  created_at: string;
};

export type MenuOption = { id: string; title: string };

export type ChatPage = { items: ChatItem[]; cursor: string };

export type Outgoing =
  | { type: 'text'; text: string }
  | { type: 'reply'; option: MenuOption }
  | { type: 'media'; dataUrl: string; mimeType: string; filename: string; size: number; caption: string };

export type Access = { key: string; token: string };

const TOKEN_HEADER = 'X-Sandbox-Token';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    message = body.error?.message ?? message;
  } catch {
    // Not the API's error shape: the status text says enough.
  }
  throw new SandboxError(response.status, message);
}

export async function readChat(access: Access, phone: string, after: string | null, signal?: AbortSignal): Promise<ChatPage> {
  const query = new URLSearchParams({ phone });
  if (after) query.set('after', after);
  const response = await fetch(`/api/sandbox/${encodeURIComponent(access.key)}/chat?${query}`, {
    headers: { [TOKEN_HEADER]: access.token, Accept: 'application/json' },
    signal,
  });
  return (await check(response)).json() as Promise<ChatPage>;
}

async function post(access: Access, body: object): Promise<void> {
  await check(
    await fetch(`/webhooks/sandbox/${encodeURIComponent(access.key)}`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: access.token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

export type Customer = { phone: string; name: string };

/** The webhook body of a message from the phone (the channel's wire format; the server
 *  infers the message type from the content). */
export function messageBody(customer: Customer, outgoing: Outgoing, id: string, now = Date.now()): object {
  const base = {
    event: 'message',
    id,
    from: customer.phone,
    name: customer.name || undefined,
    timestamp: Math.floor(now / 1000),
  };
  switch (outgoing.type) {
    case 'text':
      return { ...base, text: outgoing.text };
    case 'reply':
      return { ...base, interactive_reply: outgoing.option };
    case 'media':
      return {
        ...base,
        text: outgoing.caption || undefined,
        media: {
          url: outgoing.dataUrl,
          mime_type: outgoing.mimeType,
          filename: outgoing.filename,
          size: outgoing.size,
        },
      };
  }
}

export function sendMessage(access: Access, customer: Customer, outgoing: Outgoing, id: string): Promise<void> {
  return post(access, messageBody(customer, outgoing, id));
}

/** A receipt for a company message: the phone got it ("delivered") or showed it ("read"). */
export function sendReceipt(access: Access, phone: string, messageId: string, status: 'delivered' | 'read'): Promise<void> {
  return post(access, {
    event: 'status',
    message_id: messageId,
    status,
    to: phone,
    timestamp: Math.floor(Date.now() / 1000),
  });
}

/** The customer is typing (sent again every few seconds while they type) or stopped: relayed
 *  to the agents who have the chat open, never stored. */
export function sendTyping(access: Access, phone: string, isTyping: boolean): Promise<void> {
  return post(access, { event: 'typing', from: phone, is_typing: isTyping });
}

/** Merge a poll's items into the chat: replaced by id (statuses change), oldest first. */
export function mergeItems(current: ChatItem[], incoming: ChatItem[]): ChatItem[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((item) => [item.id, item]));
  for (const item of incoming) byId.set(item.id, item);
  return [...byId.values()].sort(
    (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id.localeCompare(b.id),
  );
}
