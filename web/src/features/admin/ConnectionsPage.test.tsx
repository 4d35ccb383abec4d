import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionAdminRead } from '@/client';
import { configureApiClient } from '@/api/http';
import { useAuth } from '@/auth/store';
import { Toaster } from '@/components/ui/toast';
import { demoUser, fakeToken, json, pathOf } from '@/test/utils';
import { ConnectionsPage } from './ConnectionsPage';

const fetchMock = vi.fn<typeof fetch>();

const waha: ConnectionAdminRead = {
  id: '00000000-0000-4000-8000-0000000000aa',
  name: 'Loja',
  channel: 'waha',
  status: 'qr',
  status_reason: null,
  phone_number: null,
  is_default: false,
  created_at: '2026-01-01T00:00:00Z',
  status_changed_at: null,
  config: { base_url: 'http://waha:3000', session: 'loja' },
  secret_fields: ['api_key'],
  webhook_url: 'http://localhost/webhooks/waha/key123',
  verify_token: 'token123',
  qr_code: 'data:image/png;base64,STALE',
};
const sandbox: ConnectionAdminRead = {
  ...waha,
  id: '00000000-0000-4000-8000-0000000000bb',
  name: 'Sandbox',
  channel: 'sandbox',
  status: 'connected',
  qr_code: null,
  webhook_url: 'http://localhost/webhooks/sandbox/Key_9',
  verify_token: 'tok',
};

function route(request: Request): Response {
  const path = pathOf(request);
  if (path === '/api/connections') return json([waha, sandbox]);
  if (path === `/api/connections/${waha.id}/qr`) return json({ status: 'qr', qr_code: 'data:image/png;base64,FRESH' });
  if (path === `/api/connections/${waha.id}/stop`) return json({ ...waha, status: 'stopped', qr_code: null });
  if (path === `/api/connections/${waha.id}`) return json(waha);
  if (path === `/api/connections/${sandbox.id}`) return json(sandbox);
  return json({ error: { code: 'not_found', message: path } }, 404);
}

beforeEach(() => {
  configureApiClient();
  useAuth.setState({ status: 'authenticated', accessToken: fakeToken('a'), expiresAt: Date.now() + 600_000, user: demoUser });
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (input) => route(input as Request));
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

describe('ConnectionsPage', { timeout: 20_000 }, () => {
  it("shows the gateway's current QR, and stops the session", async () => {
    const user = userEvent.setup();
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={queryClient}>
        <ConnectionsPage />
        <Toaster />
      </QueryClientProvider>,
    );
    const card = (await screen.findByRole('heading', { name: 'Loja' })).closest('li')!;
    // The QR read from the gateway, not the stale one stored with the connection.
    const qr = await within(card).findByRole('img', { name: 'QR code para parear Loja' });
    await vi.waitFor(() => expect(qr).toHaveAttribute('src', 'data:image/png;base64,FRESH'));
    expect(within(card).getByRole('status')).toHaveTextContent('Aguardando QR code');
    expect(within(card).getByLabelText('URL do webhook')).toHaveValue(waha.webhook_url);

    await user.click(within(card).getByRole('button', { name: 'Parar' }));
    await vi.waitFor(() => expect(within(card).getByRole('status')).toHaveTextContent('Parado'));
    expect(within(card).queryByRole('img')).not.toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Iniciar' })).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([input]) => pathOf(input) === `/api/connections/${waha.id}/stop`)).toBe(true);

    // The sandbox: no session buttons, a link to its simulated phone.
    const sandboxCard = screen.getByRole('heading', { name: 'Sandbox' }).closest('li')!;
    expect(within(sandboxCard).queryByRole('button', { name: 'Iniciar' })).not.toBeInTheDocument();
    expect(within(sandboxCard).getByRole('link', { name: /Abrir telefone simulado/ })).toHaveAttribute(
      'href',
      '/sandbox/Key_9?token=tok',
    );
  });
});
