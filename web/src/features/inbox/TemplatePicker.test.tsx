import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TemplateRead } from '@/client';
import { configureApiClient } from '@/api/http';
import { useAuth } from '@/auth/store';
import { apiError, demoUser, fakeToken, json, pathOf } from '@/test/utils';
import { TemplatePicker } from './TemplatePicker';

const fetchMock = vi.fn<typeof fetch>();

const order: TemplateRead = {
  name: 'order_update',
  language: 'pt_BR',
  category: 'UTILITY',
  header_format: 'text',
  header: 'Seu pedido',
  header_parameters: [],
  body: 'Olá {{1}}, o pedido {{2}} saiu para entrega.',
  footer: 'Loja X',
  parameters: ['1', '2'],
  named_parameters: false,
  buttons: [],
  supported: true,
};
const document: TemplateRead = {
  ...order,
  name: 'boleto_pdf',
  header_format: 'document',
  header: null,
  footer: null,
  body: 'Segue seu boleto.',
  parameters: [],
  buttons: [{ index: 0, type: 'url', text: 'Pagar', url: 'https://x.example/{{1}}' }],
};
const location: TemplateRead = { ...document, name: 'loja_perto', header_format: 'location', buttons: [], supported: false };

let templatesAnswer: () => Response = () => json([order, document, location]);
const sentBodies: unknown[] = [];

async function route(request: Request): Promise<Response> {
  const path = pathOf(request);
  if (path === '/api/templates') return templatesAnswer();
  if (path === '/api/messages/send-template') {
    const body = await request.json();
    sentBodies.push(body);
    return json({ id: 'm-1', conversation_id: 'conv-1', type: 'template', content: body.preview }, 202);
  }
  return json({ error: { code: 'not_found', message: path } }, 404);
}

function renderPicker() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <TemplatePicker conversationId="conv-1" connectionId="conn-1" />
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  configureApiClient();
  useAuth.setState({ status: 'authenticated', accessToken: fakeToken('a'), expiresAt: Date.now() + 600_000, user: demoUser });
  templatesAnswer = () => json([order, document, location]);
  sentBodies.length = 0;
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (input) => route(input as Request));
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

describe('TemplatePicker', () => {
  it('lists the approved templates, fills one in with a live preview and sends it', async () => {
    const user = userEvent.setup();
    renderPicker();

    await user.click(screen.getByRole('button', { name: 'Enviar modelo aprovado' }));
    const list = await screen.findByRole('list', { name: 'Modelos aprovados' });
    const [orderButton, documentButton, locationButton] = within(list).getAllByRole('button');
    expect(documentButton).toBeEnabled();
    expect(locationButton).toBeDisabled();
    expect(locationButton).toHaveTextContent('Gerenciador do WhatsApp');
    expect(new URL((fetchMock.mock.calls[0]![0] as Request).url).searchParams.get('connection_id')).toBe('conn-1');

    await user.click(orderButton!);
    const dialog = screen.getByRole('dialog', { name: 'order_update' });
    const preview = within(dialog).getByTestId('template-preview');
    expect(preview).toHaveTextContent('Seu pedidoOlá {{1}}, o pedido {{2}} saiu para entrega.Loja X');

    await user.type(within(dialog).getByLabelText('Variável {{1}}'), 'Ana');
    await user.click(within(dialog).getByRole('button', { name: 'Enviar modelo' }));
    expect(sentBodies).toEqual([]); // {{2}} is still empty
    expect(preview).toHaveTextContent('Olá Ana, o pedido {{2}} saiu para entrega.');

    await user.type(within(dialog).getByLabelText('Variável {{2}}'), '#4521');
    await user.click(within(dialog).getByRole('button', { name: 'Enviar modelo' }));

    await vi.waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(sentBodies).toEqual([
      expect.objectContaining({
        conversation_id: 'conv-1',
        template_name: 'order_update',
        language: 'pt_BR',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '#4521' },
            ],
          },
        ],
        preview: 'Seu pedido\n\nOlá Ana, o pedido #4521 saiu para entrega.\n\nLoja X',
        idempotency_key: expect.any(String),
      }),
    ]);
  });

  it('asks for the header document link and the button value and sends them as components', async () => {
    const user = userEvent.setup();
    renderPicker();

    await user.click(screen.getByRole('button', { name: 'Enviar modelo aprovado' }));
    const list = await screen.findByRole('list', { name: 'Modelos aprovados' });
    await user.click(within(list).getByRole('button', { name: /boleto_pdf/ }));
    const dialog = screen.getByRole('dialog', { name: 'boleto_pdf' });
    const link = within(dialog).getByLabelText('Link do documento do cabeçalho');
    const button = within(dialog).getByLabelText('Botão “Pagar”: final do link');
    expect(within(dialog).getByText('Completa https://x.example/{{1}}')).toBeInTheDocument();

    await user.type(link, 'boleto.pdf');
    await user.type(button, '4521');
    expect(within(dialog).getByRole('alert')).toHaveTextContent('https://');
    await user.click(within(dialog).getByRole('button', { name: 'Enviar modelo' }));
    expect(sentBodies).toEqual([]); // not a link Meta can download from

    await user.clear(link);
    await user.type(link, 'https://files.example.com/boleto-4521.pdf');
    const preview = within(dialog).getByTestId('template-preview');
    expect(preview).toHaveTextContent('https://files.example.com/boleto-4521.pdf');
    expect(preview).toHaveTextContent('Pagar');
    await user.click(within(dialog).getByRole('button', { name: 'Enviar modelo' }));

    await vi.waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(sentBodies).toEqual([
      expect.objectContaining({
        template_name: 'boleto_pdf',
        components: [
          {
            type: 'header',
            parameters: [{ type: 'document', document: { link: 'https://files.example.com/boleto-4521.pdf' } }],
          },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '4521' }] },
        ],
        preview: '📎 https://files.example.com/boleto-4521.pdf\n\nSegue seu boleto.',
      }),
    ]);
  });

  it('says what the connection lacks to list its templates', async () => {
    templatesAnswer = () => apiError(422, 'connection_misconfigured', 'cloud_api: waba_id is required');
    const user = userEvent.setup();
    renderPicker();

    await user.click(screen.getByRole('button', { name: 'Enviar modelo aprovado' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('ID da conta do WhatsApp Business (WABA)');
  });
});
