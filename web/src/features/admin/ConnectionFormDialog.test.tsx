import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionAdminRead } from '@/client';
import { configureApiClient } from '@/api/http';
import { useAuth } from '@/auth/store';
import { Toaster } from '@/components/ui/toast';
import { apiError, demoUser, fakeToken, json, pathOf } from '@/test/utils';
import { ConnectionFormDialog } from './ConnectionFormDialog';
import { missingProviderFields, providerBody, sandboxPhoneUrl } from './connectionFields';

const fetchMock = vi.fn<typeof fetch>();

const stored: ConnectionAdminRead = {
  id: '00000000-0000-4000-8000-0000000000aa',
  name: 'Loja',
  channel: 'waha',
  status: 'stopped',
  status_reason: null,
  phone_number: null,
  is_default: false,
  created_at: '2026-01-01T00:00:00Z',
  status_changed_at: null,
  config: { base_url: 'http://waha:3000', session: 'loja' },
  secret_fields: ['api_key'],
  webhook_url: 'http://localhost/webhooks/waha/key123',
  verify_token: 'token123',
  qr_code: null,
};

function renderDialog(connection: ConnectionAdminRead | null = null) {
  const onClose = vi.fn();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <ConnectionFormDialog connection={connection} onClose={onClose} />
      <Toaster />
    </QueryClientProvider>,
  );
  return { onClose, dialog: screen.getByRole('dialog') };
}

/** The JSON body of the one request sent to `path`. */
async function sentBody(path: string): Promise<Record<string, unknown>> {
  const call = fetchMock.mock.calls.find(([input]) => pathOf(input) === path);
  expect(call).toBeDefined();
  return (await (call![0] as Request).clone().json()) as Record<string, unknown>;
}

beforeEach(() => {
  configureApiClient();
  useAuth.setState({ status: 'authenticated', accessToken: fakeToken('a'), expiresAt: Date.now() + 600_000, user: demoUser });
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

// Radix selects and typing are slow on a busy CI machine.
describe('ConnectionFormDialog', { timeout: 20_000 }, () => {
  it("asks for each provider's own fields", async () => {
    const user = userEvent.setup();
    const { dialog } = renderDialog();
    // WAHA first: its server, session and API key.
    expect(within(dialog).getByLabelText('URL do servidor')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Sessão')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Chave da API')).toHaveAttribute('type', 'password');

    await user.click(within(dialog).getByRole('combobox', { name: 'Provedor' }));
    await user.click(screen.getByRole('option', { name: 'WhatsApp Cloud API (Meta)' }));
    expect(within(dialog).queryByLabelText('Sessão')).not.toBeInTheDocument();
    expect(within(dialog).getByLabelText('ID do número de telefone')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Token de acesso')).toHaveAttribute('type', 'password');
    expect(within(dialog).getByLabelText('Chave secreta do app')).toBeInTheDocument();

    await user.click(within(dialog).getByRole('combobox', { name: 'Provedor' }));
    await user.click(screen.getByRole('option', { name: 'Sandbox (telefone simulado)' }));
    expect(within(dialog).queryByLabelText('Token de acesso')).not.toBeInTheDocument();
    expect(within(dialog).queryByLabelText(/Chave/)).not.toBeInTheDocument();
  });

  it('names the missing fields without calling the server', async () => {
    const user = userEvent.setup();
    const { dialog } = renderDialog();
    await user.type(within(dialog).getByLabelText('Nome'), 'Loja');
    await user.click(within(dialog).getByRole('button', { name: 'Criar conexão' }));
    expect(within(dialog).getByLabelText('URL do servidor')).toHaveAttribute('aria-invalid', 'true');
    expect(within(dialog).getByLabelText('Sessão')).toHaveAttribute('aria-invalid', 'true');
    expect(within(dialog).getByLabelText('Chave da API')).toHaveAttribute('aria-invalid', 'true');
    expect(within(dialog).getAllByText('Obrigatório.')).toHaveLength(3);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('sends settings and secrets apart, and shows the API error on its field', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(
      apiError(422, 'validation_error', 'Some fields are invalid.', [
        { field: 'config.base_url', message: 'must be an http(s) URL', type: 'value_error' },
      ]),
    );
    const { dialog, onClose } = renderDialog();
    await user.type(within(dialog).getByLabelText('Nome'), 'Loja');
    await user.type(within(dialog).getByLabelText('URL do servidor'), ' waha:3000 ');
    await user.type(within(dialog).getByLabelText('Sessão'), 'loja');
    await user.type(within(dialog).getByLabelText('Chave da API'), 'secret');
    await user.click(within(dialog).getByRole('button', { name: 'Criar conexão' }));

    expect(await within(dialog).findByText('must be an http(s) URL')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('URL do servidor')).toHaveAttribute('aria-invalid', 'true');
    expect(onClose).not.toHaveBeenCalled();
    expect(await sentBody('/api/connections')).toEqual({
      name: 'Loja',
      channel: 'waha',
      phone_number: null,
      is_default: false,
      config: { base_url: 'waha:3000', session: 'loja' },
      secrets: { api_key: 'secret' },
    });
  });

  it('keeps a stored secret when its field is left blank', async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(json({ ...stored, name: 'Loja 2' }));
    const { dialog, onClose } = renderDialog(stored);
    expect(within(dialog).getByRole('combobox', { name: 'Provedor' })).toBeDisabled();
    expect(within(dialog).getByLabelText('Sessão')).toHaveValue('loja');
    expect(within(dialog).getByText('Já configurado. Deixe em branco para manter.')).toBeInTheDocument();
    await user.tripleClick(within(dialog).getByLabelText('Nome'));
    await user.keyboard('Loja 2');
    expect(within(dialog).getByLabelText('Nome')).toHaveValue('Loja 2');
    await user.click(within(dialog).getByRole('button', { name: 'Salvar' }));

    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    const body = await sentBody(`/api/connections/${stored.id}`);
    expect(body.secrets).toEqual({});
    expect(body.config).toEqual({ base_url: 'http://waha:3000', session: 'loja' });
    expect(await screen.findByText('Conexão "Loja 2" salva.')).toBeInTheDocument();
  });
});

describe('connection fields', () => {
  it('follow REQUIRED_FIELDS of each provider', () => {
    expect(missingProviderFields('waha', {})).toEqual(['config.base_url', 'config.session', 'secrets.api_key']);
    expect(missingProviderFields('evolution', {})).toEqual(['config.base_url', 'config.instance', 'secrets.api_key']);
    expect(missingProviderFields('cloud_api', {})).toEqual([
      'config.phone_number_id',
      'secrets.access_token',
      'secrets.app_secret',
    ]);
    expect(missingProviderFields('telegram', {})).toEqual(['secrets.bot_token']);
    expect(missingProviderFields('sandbox', {})).toEqual([]);
    // A blank optional setting is left out, so the provider's default applies.
    expect(providerBody('cloud_api', { 'config.phone_number_id': '1', 'config.api_version': ' ' }).config).toEqual({
      phone_number_id: '1',
    });
  });

  it("link the sandbox phone by the webhook URL's last segment", () => {
    expect(sandboxPhoneUrl('http://127.0.0.1:8000/webhooks/sandbox/Ab_c-1', 'tok en')).toBe(
      '/sandbox/Ab_c-1?token=tok%20en',
    );
  });
});
