import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { DepartmentRead } from '@/client';
import { DepartmentFormDialog, slugFromName } from './DepartmentFormDialog';

const stored: DepartmentRead = {
  id: '00000000-0000-4000-8000-0000000000d1',
  slug: 'financeiro',
  name: 'Financeiro',
  color: '#2563eb',
  is_root: false,
  position: 1,
  response_timeout_minutes: 5,
  max_agents: 10,
  routing_rule: 'least_busy',
  business_hours: {},
  is_active: true,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

function renderDialog(department: DepartmentRead | null) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <DepartmentFormDialog department={department} nextPosition={0} onClose={() => undefined} />
    </QueryClientProvider>,
  );
  return screen.getByRole('dialog');
}

describe('slugFromName', () => {
  it('makes the slug the server would', () => {
    expect(slugFromName('Pós-venda & Trocas')).toBe('pos-venda-trocas');
    expect(slugFromName('  Suporte Técnico 24h ')).toBe('suporte-tecnico-24h');
    expect(slugFromName('Ação!')).toBe('acao');
    expect(slugFromName('日本')).toBe('');
    expect(slugFromName('a'.repeat(70))).toHaveLength(60);
  });
});

describe('DepartmentFormDialog', { timeout: 20_000 }, () => {
  it("suggests the slug made from the name a new department's slug will get", async () => {
    const user = userEvent.setup();
    const dialog = renderDialog(null);
    const slug = within(dialog).getByLabelText('Identificador');
    expect(slug).toHaveAttribute('placeholder', '');
    await user.type(within(dialog).getByLabelText('Nome'), 'Pós-venda');
    expect(slug).toHaveAttribute('placeholder', 'pos-venda');
  });

  it('suggests the slug an edited department keeps when the field is emptied', async () => {
    const user = userEvent.setup();
    const dialog = renderDialog(stored);
    const slug = within(dialog).getByLabelText('Identificador');
    await user.clear(slug);
    await user.type(within(dialog).getByLabelText('Nome'), ' Cobrança');
    expect(slug).toHaveAttribute('placeholder', 'financeiro');
  });
});
