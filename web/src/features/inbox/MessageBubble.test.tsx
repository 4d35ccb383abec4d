import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { MessageRead } from '@/client';
import { MessageBubble } from './MessageBubble';

function message(extra: Partial<MessageRead> = {}): MessageRead {
  return {
    id: 'm1',
    conversation_id: 'c1',
    direction: 'outbound',
    type: 'text',
    content: 'Seu pedido saiu para entrega',
    media: null,
    payload: {},
    status: 'sent',
    error_code: null,
    error_message: null,
    sender_id: 'agent',
    is_bot: false,
    reply_to_id: null,
    provider_message_id: null,
    idempotency_key: null,
    created_at: '2026-01-01T12:00:00Z',
    sent_at: null,
    delivered_at: null,
    read_at: null,
    ...extra,
  };
}

const bubble = (extra: Partial<MessageRead>, onResend = vi.fn(), quoted?: MessageRead) =>
  render(<MessageBubble message={message(extra)} quoted={quoted} onResend={onResend} resending={false} />);

describe('MessageBubble', () => {
  it.each([
    ['pending', 'Aguardando envio'],
    ['sent', 'Enviada'],
    ['delivered', 'Entregue'],
    ['read', 'Lida'],
  ] as const)('names the %s tick for screen readers', (status, label) => {
    bubble({ status });
    expect(screen.getByRole('img', { name: label })).toBeInTheDocument();
  });

  it("shows a failure's reason and resends on request", async () => {
    const onResend = vi.fn();
    bubble({ status: 'failed', error_message: 'Número sem WhatsApp' }, onResend);
    expect(screen.getByText('Número sem WhatsApp')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reenviar' }));
    expect(onResend).toHaveBeenCalledWith('m1');
  });

  it('marks bot messages, quotes the message answered, and shows the customer’s reaction', () => {
    bubble(
      { is_bot: true, reply_to_id: 'm0', payload: { reactions: { customer: '👍' } } },
      vi.fn(),
      message({ id: 'm0', direction: 'inbound', content: 'Cadê meu pedido?' }),
    );
    expect(screen.getByText('Robô')).toBeInTheDocument();
    expect(screen.getByText('Cadê meu pedido?')).toBeInTheDocument();
    expect(screen.getByLabelText('Reações: 👍')).toBeInTheDocument();
  });

  it('has no ticks on the customer’s messages', () => {
    bubble({ direction: 'inbound', status: 'received' });
    expect(screen.queryByTestId('message-status')).toBeNull();
  });

  it('marks a message the customer edited or deleted, keeping its text for context', () => {
    const { unmount } = bubble({ direction: 'inbound', status: 'received', content: 'novo', payload: { edits: ['velho'] } });
    expect(screen.getByTestId('message-edited')).toHaveTextContent('editada');
    expect(screen.queryByTestId('message-revoked')).toBeNull();
    unmount();

    bubble({ direction: 'inbound', status: 'received', payload: { revoked: true, revoked_at: '2026-01-01T12:01:00Z' } });
    expect(screen.getByTestId('message-revoked')).toHaveTextContent('Mensagem apagada');
    expect(screen.getByText('Seu pedido saiu para entrega')).toHaveClass('line-through');
  });
});
