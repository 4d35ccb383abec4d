import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationRead, MessageSearchHit } from '@/client';
import { configureApiClient } from '@/api/http';
import { useAuth } from '@/auth/store';
import { useInbox } from '@/stores/inbox';
import { demoUser, fakeToken, json, pathOf } from '@/test/utils';
import { ConversationColumn } from './ConversationColumn';

const fetchMock = vi.fn<typeof fetch>();

const contact = { id: 'contact-1', name: 'Maria Boleto', phone: '+5511999990000', avatar_url: null, is_group: false };
const conversation = {
  id: 'conv-1',
  contact,
  status: 'assigned',
  unread_count: 0,
  last_message_preview: 'Obrigada!',
  last_message_at: '2026-01-01T12:00:00Z',
  created_at: '2026-01-01T11:00:00Z',
  queued_at: null,
} as ConversationRead;

function hit(index: number, direction: 'inbound' | 'outbound' = 'inbound'): MessageSearchHit {
  return {
    contact: { ...contact, id: `contact-${index}`, name: `Cliente ${index}` },
    message: {
      id: `m-${index}`,
      conversation_id: `conv-${index}`,
      direction,
      type: 'text',
      content: `Mensagem ${index}: segue o boleto do mês`,
      created_at: '2026-01-01T12:00:00Z',
    } as MessageSearchHit['message'],
  };
}

let conversationsFound: ConversationRead[] = [conversation];
let hitsFound = true;

function route(request: Request): Response {
  const path = pathOf(request);
  const url = new URL(request.url);
  if (path === '/api/conversations') return json({ items: conversationsFound, next_cursor: null });
  if (path === '/api/conversations/counts') return json({ mine: 0, queue: 0, unread: 0 });
  if (path === '/api/messages/search') {
    if (!hitsFound) return json({ items: [], next_cursor: null });
    if (url.searchParams.get('cursor') === 'page-2') return json({ items: [hit(3)], next_cursor: null });
    return json({ items: [hit(1), hit(2, 'outbound')], next_cursor: 'page-2' });
  }
  return json({ error: { code: 'not_found', message: path } }, 404);
}

function searchCalls(): URL[] {
  return fetchMock.mock.calls
    .map(([input]) => new URL((input as Request).url))
    .filter((url) => url.pathname === '/api/messages/search');
}

function renderColumn() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter>
        <ConversationColumn selectedId={undefined} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  configureApiClient();
  useAuth.setState({ status: 'authenticated', accessToken: fakeToken('a'), expiresAt: Date.now() + 600_000, user: demoUser });
  useInbox.setState({ tab: 'mine', search: '', filters: {} });
  conversationsFound = [conversation];
  hitsFound = true;
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (input) => route(input as Request));
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

describe('search in the conversation column', () => {
  it('shows matching conversations and messages, and loads more messages by cursor', async () => {
    const user = userEvent.setup();
    renderColumn();

    await user.type(screen.getByRole('searchbox', { name: 'Pesquisar conversas' }), 'boleto');

    const conversations = await screen.findByRole('list', { name: 'Conversas' });
    expect(within(conversations).getByRole('link', { name: /Maria Boleto/ })).toHaveAttribute('href', '/inbox/conv-1');
    const messages = await screen.findByRole('list', { name: 'Mensagens' });
    const hits = within(messages).getAllByRole('link');
    // A hit opens its conversation at the message found.
    expect(hits.map((link) => link.getAttribute('href'))).toEqual([
      '/inbox/conv-1?message=m-1',
      '/inbox/conv-2?message=m-2',
    ]);
    expect(hits[0]).toHaveTextContent('Cliente 1');
    expect(within(hits[0]!).getByText('boleto', { selector: 'mark' })).toBeInTheDocument();
    expect(hits[1]).toHaveTextContent('Você: Mensagem 2: segue o boleto do mês');
    expect(searchCalls().at(-1)?.searchParams.get('q')).toBe('boleto');

    await user.click(screen.getByRole('button', { name: 'Mais mensagens' }));

    expect(await within(messages).findByRole('link', { name: /Cliente 3/ })).toHaveAttribute('href', '/inbox/conv-3?message=m-3');
    expect(searchCalls().at(-1)?.searchParams.get('cursor')).toBe('page-2');
    expect(screen.queryByRole('button', { name: 'Mais mensagens' })).not.toBeInTheDocument();
  });

  it('searches messages only from two letters on', async () => {
    const user = userEvent.setup();
    renderColumn();

    await user.type(screen.getByRole('searchbox', { name: 'Pesquisar conversas' }), 'M');

    expect(await screen.findByText('Digite ao menos 2 letras para pesquisar nas mensagens.')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Conversas' })).toBeInTheDocument();
    expect(searchCalls()).toEqual([]);
  });

  it('says so when nothing matches', async () => {
    conversationsFound = [];
    hitsFound = false;
    const user = userEvent.setup();
    renderColumn();

    await user.type(screen.getByRole('searchbox', { name: 'Pesquisar conversas' }), 'xyz');

    expect(await screen.findByText('Nada encontrado para “xyz”.')).toBeInTheDocument();
  });
});
