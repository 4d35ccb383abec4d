import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationRead } from '@/client';
import { ConversationListView } from './ConversationListView';

function conversation(index: number): ConversationRead {
  return {
    id: `c-${index}`,
    company_id: 'company',
    contact: { id: `contact-${index}`, name: `Cliente ${index}`, phone: '+5511999990000', avatar_url: null, is_group: false },
    status: 'waiting',
    priority: 'normal',
    is_group: false,
    unread_count: index === 0 ? 3 : 0,
    last_message_preview: `Mensagem ${index}`,
    last_message_at: '2026-01-01T12:00:00Z',
    created_at: '2026-01-01T11:00:00Z',
    tag_ids: [],
    assigned_at: null,
    assignee_id: null,
    bot_state: null,
    closing_reason_id: null,
    connection_id: null,
    department_id: null,
    first_response_at: null,
    last_inbound_at: null,
    queued_at: null,
    resolved_at: null,
  } as ConversationRead;
}

function renderList(count: number, props: Partial<Parameters<typeof ConversationListView>[0]> = {}) {
  const items = Array.from({ length: count }, (_, index) => conversation(index));
  return render(
    <MemoryRouter>
      <ConversationListView
        items={items}
        selectedId={undefined}
        hasMore={false}
        loadingMore={false}
        onLoadMore={() => undefined}
        label="Conversas"
        {...props}
      />
    </MemoryRouter>,
  );
}

// happy-dom does no layout: give the scroll container a phone-sized box.
const boxes = ['clientHeight', 'clientWidth'] as const;
beforeAll(() => {
  for (const box of boxes) {
    Object.defineProperty(HTMLElement.prototype, box, {
      configurable: true,
      get: () => (box === 'clientHeight' ? 720 : 360),
    });
  }
});
afterAll(() => {
  for (const box of boxes) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[box];
});

describe('ConversationListView', () => {
  it('renders only the visible rows of a long list', () => {
    renderList(5000);
    const rows = screen.getAllByRole('link');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(screen.getByRole('list', { name: 'Conversas' })).toBeInTheDocument();
  });

  it('shows name, preview and unread count, and marks the open conversation', () => {
    renderList(3, { selectedId: 'c-1' });
    expect(screen.getByText('Cliente 0')).toBeInTheDocument();
    expect(screen.getByText('Mensagem 0')).toBeInTheDocument();
    expect(screen.getByLabelText('3 mensagens não lidas')).toHaveTextContent('3');
    expect(screen.getByRole('link', { current: 'page' })).toHaveAttribute('href', '/inbox/c-1');
  });

  it('moves between rows with the arrow keys', async () => {
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
      callback(0);
      return 0;
    });
    renderList(3);
    const user = userEvent.setup();
    const links = screen.getAllByRole('link');
    links[0]!.focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(links[1]);
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(links[2]);
    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(links[0]);
    vi.unstubAllGlobals();
  });

  it('asks for the next page when the end of the list is in view', () => {
    const onLoadMore = vi.fn();
    renderList(3, { hasMore: true, onLoadMore });
    expect(onLoadMore).toHaveBeenCalled();
  });
});
