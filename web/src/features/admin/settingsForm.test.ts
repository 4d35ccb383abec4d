import { describe, expect, it } from 'vitest';
import type { SettingsRead } from '@/client';
import { formFromSettings, placeholderProblem, settingsPatch, validateSettings, type SettingsForm } from './settingsForm';

const settings: SettingsRead = {
  id: '00000000-0000-4000-8000-0000000000c0',
  name: 'Nexus Demo',
  slug: 'nexus-demo',
  timezone: 'America/Sao_Paulo',
  created_at: '2026-01-01T00:00:00Z',
  business_hours: { mon: [['08:00', '18:00']] },
  bot: {
    greeting: 'Bem-vindo à {company}!',
    menu_prompt: 'Escolha:\n{menu}',
    invalid_option: 'Opção inválida.',
    return_prompt: 'Falar com {department}? (SIM/NÃO)',
    out_of_hours: 'Fechado.',
    queued: 'Na fila de {department}.',
    assigned: 'Com {agent}.',
    transferred: 'Para {department}.',
    resolved: 'Encerrado.',
  },
  conversations: {
    reopen_window_minutes: 0,
    idle_expiry_hours: 24,
    menu_timeout_seconds: 120,
    heartbeat_timeout_seconds: 120,
    require_closing_reason: true,
    send_resolved_text: false,
  },
};

const messages = {
  required: 'required',
  tooShort: 'short',
  tooLong: 'long',
  range: 'range',
  unbalanced: 'braces',
  unknown: (names: string[]) => `unknown ${names.join(',')}`,
};

function edit(change: (form: SettingsForm) => void): SettingsForm {
  const form = structuredClone(formFromSettings(settings));
  change(form);
  return form;
}

describe('placeholderProblem', () => {
  it('reads braces as the server does (str.format)', () => {
    expect(placeholderProblem('Olá {company}, {agent!r} {menu:>3}')).toBeNull();
    expect(placeholderProblem('Chaves literais: {{ e }}')).toBeNull();
    expect(placeholderProblem('Olá {empresa} e {cliente}')).toEqual({ kind: 'unknown', names: ['empresa', 'cliente'] });
    expect(placeholderProblem('Olá {company')).toEqual({ kind: 'unbalanced' });
    expect(placeholderProblem('Olá company}')).toEqual({ kind: 'unbalanced' });
  });
});

describe('validateSettings', () => {
  it('accepts the saved settings', () => {
    expect(validateSettings(formFromSettings(settings), messages)).toEqual({});
  });

  it('names each bad field by its API path', () => {
    const form = edit((f) => {
      f.name = 'X';
      f.timezone = ' ';
      f.bot.greeting = '   ';
      f.bot.queued = 'Fila de {departamento}';
      f.bot.resolved = 'Fim }';
      f.bot.assigned = 'a'.repeat(4097);
      f.numbers.menu_timeout_seconds = '29';
      f.numbers.idle_expiry_hours = '1.5';
      f.numbers.reopen_window_minutes = '';
    });
    expect(validateSettings(form, messages)).toEqual({
      name: 'short',
      timezone: 'required',
      'bot.greeting': 'required',
      'bot.queued': 'unknown departamento',
      'bot.resolved': 'braces',
      'bot.assigned': 'long',
      'conversations.menu_timeout_seconds': 'range',
      'conversations.idle_expiry_hours': 'range',
      'conversations.reopen_window_minutes': 'range',
    });
  });
});

describe('settingsPatch', () => {
  it('sends nothing when nothing changed', () => {
    expect(settingsPatch(formFromSettings(settings), formFromSettings(settings))).toEqual({});
  });

  it('sends only the changed texts and rules, and the schedule whole', () => {
    const saved = formFromSettings(settings);
    const form = edit((f) => {
      f.bot.greeting = 'Oi!';
      f.requireClosingReason = false;
      f.numbers.idle_expiry_hours = '48';
      f.days = { ...f.days, sat: [['09:00', '12:00']] };
    });
    expect(settingsPatch(saved, form)).toEqual({
      bot: { greeting: 'Oi!' },
      conversations: { idle_expiry_hours: 48, require_closing_reason: false },
      business_hours: { mon: [['08:00', '18:00']], sat: [['09:00', '12:00']] },
    });
  });

  it('switching the hours off means always open', () => {
    const saved = formFromSettings(settings);
    expect(settingsPatch(saved, edit((f) => (f.hoursEnabled = false)))).toEqual({ business_hours: {} });
  });
});
