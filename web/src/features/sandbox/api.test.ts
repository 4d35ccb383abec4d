import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '@/test/utils';
import { mergeItems, messageBody, readChat, sendReceipt, sendTyping, type ChatItem } from './api';

const item = (id: string, at: string, status = 'sent'): ChatItem => ({
  id,
  direction: 'outbound',
  type: 'text',
  text: id,
  media: null,
  payload: null,
  status,
  is_bot: false,
  sender_name: null,
  created_at: at,
});

const access = { key: 'key-1', token: 'secret' };

afterEach(() => vi.unstubAllGlobals());

describe('sandbox phone client', () => {
  it('speaks the webhook wire format: text, a tapped menu option, a file as a data URL', () => {
    const customer = { phone: '+5511988887777', name: 'Ana' };
    expect(messageBody(customer, { type: 'text', text: 'Oi' }, 'p1', 1_760_000_000_000)).toEqual({
      event: 'message',
      id: 'p1',
      from: '+5511988887777',
      name: 'Ana',
      timestamp: 1_760_000_000,
      text: 'Oi',
    });
    expect(messageBody(customer, { type: 'reply', option: { id: 'dep-1', title: 'Vendas' } }, 'p2')).toMatchObject({
      interactive_reply: { id: 'dep-1', title: 'Vendas' },
    });
    expect(
      messageBody(
        customer,
        { type: 'media', dataUrl: 'data:image/png;base64,AAA', mimeType: 'image/png', filename: 'f.png', size: 3, caption: '' },
        'p3',
      ),
    ).toMatchObject({ media: { url: 'data:image/png;base64,AAA', mime_type: 'image/png', filename: 'f.png', size: 3 } });
  });

  it('replaces polled items by id (a status changed) and keeps them oldest first', () => {
    const chat = mergeItems([], [item('a', '2026-01-01T10:00:00Z'), item('b', '2026-01-01T10:01:00Z')]);
    const next = mergeItems(chat, [item('a', '2026-01-01T10:00:00Z', 'read'), item('c', '2026-01-01T09:59:00Z')]);
    expect(next.map((entry) => [entry.id, entry.status])).toEqual([
      ['c', 'sent'],
      ['a', 'read'],
      ['b', 'sent'],
    ]);
  });

  it('authenticates with the sandbox token header, and names the message in receipts', async () => {
    const fetchMock = vi.fn<typeof fetch>(async () => json({ items: [], cursor: 'c2' }));
    vi.stubGlobal('fetch', fetchMock);
    await readChat(access, '+5511988887777', 'c1');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(String(url)).toBe('/api/sandbox/key-1/chat?phone=%2B5511988887777&after=c1');
    expect(new Headers(init?.headers).get('X-Sandbox-Token')).toBe('secret');

    await sendReceipt(access, '+5511988887777', 'sbx_1', 'read');
    const [receiptUrl, receiptInit] = fetchMock.mock.calls[1]!;
    expect(String(receiptUrl)).toBe('/webhooks/sandbox/key-1');
    expect(JSON.parse(String(receiptInit?.body))).toMatchObject({ event: 'status', message_id: 'sbx_1', status: 'read' });

    await sendTyping(access, '+5511988887777', true);
    const [typingUrl, typingInit] = fetchMock.mock.calls[2]!;
    expect(String(typingUrl)).toBe('/webhooks/sandbox/key-1');
    expect(JSON.parse(String(typingInit?.body))).toEqual({ event: 'typing', from: '+5511988887777', is_typing: true });
  });
});
