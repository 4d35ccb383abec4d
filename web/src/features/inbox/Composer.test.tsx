import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { QuickReplyRead } from '@/client';
import { TooltipProvider } from '@/components/ui/tooltip';
import { loadDraft } from '@/stores/drafts';
import { Composer, fillQuickReply } from './Composer';

type Props = Partial<Parameters<typeof Composer>[0]>;

function composer(conversationId: string, props: Props = {}) {
  return (
    <TooltipProvider>
      <Composer
        conversationId={conversationId}
        onSend={vi.fn(async () => undefined)}
        onNote={vi.fn(async () => undefined)}
        {...props}
      />
    </TooltipProvider>
  );
}

const reply = (shortcut: string, content: string): QuickReplyRead => ({
  id: shortcut,
  shortcut,
  content,
  department_id: null,
  created_by_id: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

describe('Composer drafts', () => {
  it('keeps the draft of each conversation across unmounts (reload, expired session)', async () => {
    const user = userEvent.setup();
    const first = render(composer('conv-a'));
    await user.type(screen.getByLabelText('Mensagem'), 'Olá, já verifico');
    expect(loadDraft('conv-a')).toBe('Olá, já verifico');
    first.unmount();

    render(composer('conv-a'));
    expect(screen.getByLabelText('Mensagem')).toHaveValue('Olá, já verifico');
  });

  it('switches drafts with the conversation', async () => {
    const user = userEvent.setup();
    const view = render(composer('conv-a'));
    await user.type(screen.getByLabelText('Mensagem'), 'for A');
    view.rerender(composer('conv-b'));
    expect(screen.getByLabelText('Mensagem')).toHaveValue('');
    view.rerender(composer('conv-a'));
    expect(screen.getByLabelText('Mensagem')).toHaveValue('for A');
  });
});

describe('Composer', () => {
  it('sends with Enter and clears the box; a failed send keeps the text', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn(async () => undefined);
    render(composer('conv-send', { onSend }));
    await user.type(screen.getByLabelText('Mensagem'), 'Bom dia{Enter}');
    expect(onSend).toHaveBeenCalledWith('Bom dia');
    expect(screen.getByLabelText('Mensagem')).toHaveValue('');

    onSend.mockRejectedValueOnce(new Error('offline'));
    await user.type(screen.getByLabelText('Mensagem'), 'De novo{Enter}');
    expect(screen.getByLabelText('Mensagem')).toHaveValue('De novo');
  });

  it('offers quick replies after "/" and puts the chosen text in the box', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn(async () => undefined);
    render(
      composer('conv-quick', {
        onSend,
        quickReplies: [reply('ola', 'Olá! Como posso ajudar?'), reply('pix', 'Nossa chave Pix é …')],
      }),
    );
    await user.type(screen.getByLabelText('Mensagem'), '/ol');
    const options = screen.getAllByRole('option');
    expect(options).toHaveLength(1);
    expect(options[0]).toHaveTextContent('Olá! Como posso ajudar?');
    await user.keyboard('{Enter}');
    expect(onSend).not.toHaveBeenCalled(); // Enter picked the reply, it did not send "/ol"
    expect(screen.getByLabelText('Mensagem')).toHaveValue('Olá! Como posso ajudar?');
  });

  it("fills a quick reply's placeholders with the agent's and the customer's names", async () => {
    const user = userEvent.setup();
    render(
      composer('conv-names', {
        quickReplies: [reply('ola', 'Olá, {customer}! Meu nome é {agent}. {outro}')],
        replyValues: { agent: 'Alice Atendente', customer: 'Maria' },
      }),
    );
    await user.type(screen.getByLabelText('Mensagem'), '/ola{Enter}');
    expect(screen.getByLabelText('Mensagem')).toHaveValue('Olá, Maria! Meu nome é Alice Atendente. {outro}');
  });

  it('leaves a placeholder whose value is unknown for the agent to replace', () => {
    expect(fillQuickReply('Olá, {customer}! Sou {agent}.', { agent: 'Alice', customer: '' })).toBe(
      'Olá, {customer}! Sou Alice.',
    );
  });

  it('offers the blocked action instead of the message box, and notes still', async () => {
    const user = userEvent.setup();
    const onNote = vi.fn(async () => undefined);
    render(composer('conv-window', { onNote, blocked: 'Janela fechada', blockedAction: <button>Enviar modelo</button> }));
    expect(screen.getByRole('note')).toHaveTextContent('Janela fechada');
    expect(screen.getByRole('button', { name: 'Enviar modelo' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Mensagem')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Anexar arquivo' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Modo nota interna' }));
    await user.type(screen.getByLabelText('Nota interna'), 'ligar amanhã{Enter}');
    expect(onNote).toHaveBeenCalledWith('ligar amanhã');
    expect(screen.queryByRole('button', { name: 'Enviar modelo' })).not.toBeInTheDocument();
  });

  it('writes an internal note in note mode, even when messages are blocked', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn(async () => undefined);
    const onNote = vi.fn(async () => undefined);
    render(composer('conv-note', { onSend, onNote, blocked: 'Janela fechada' }));
    expect(screen.getByRole('note')).toHaveTextContent('Janela fechada');
    await user.type(screen.getByLabelText('Mensagem'), 'cliente VIP{Enter}');
    expect(onSend).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Modo nota interna' }));
    await user.keyboard('{Enter}');
    expect(onNote).toHaveBeenCalledWith('cliente VIP');
  });
});
