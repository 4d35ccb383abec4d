/** The company settings form: its state, the checks the server also makes (so mistakes show
 *  before saving), and the PATCH body with only what changed. */
import type { BotTexts, ConversationRules, SettingsRead, SettingsUpdate } from '@/client';
import { fromApi, toApi, type WeeklyHours } from './BusinessHoursEditor';

export const BOT_TEXTS = [
  'greeting',
  'menu_prompt',
  'invalid_option',
  'return_prompt',
  'out_of_hours',
  'queued',
  'assigned',
  'transferred',
  'resolved',
] as const satisfies readonly (keyof BotTexts)[];
export type BotTextKey = (typeof BOT_TEXTS)[number];

/** The placeholders the bot fills in (BOT_PLACEHOLDERS in src/nexus/companies/schemas.py). */
export const PLACEHOLDERS = ['company', 'department', 'menu', 'agent'] as const;

export const NUMBER_RULES = {
  reopen_window_minutes: [0, 1440],
  idle_expiry_hours: [1, 720],
  menu_timeout_seconds: [30, 3600],
  heartbeat_timeout_seconds: [30, 3600],
} as const satisfies Partial<Record<keyof ConversationRules, readonly [number, number]>>;
export type NumberRule = keyof typeof NUMBER_RULES;
export const NUMBER_KEYS = Object.keys(NUMBER_RULES) as NumberRule[];

export type SettingsForm = {
  name: string;
  timezone: string;
  bot: Record<BotTextKey, string>;
  numbers: Record<NumberRule, string>;
  requireClosingReason: boolean;
  sendResolvedText: boolean;
  hoursEnabled: boolean;
  days: WeeklyHours;
};

export function formFromSettings(settings: SettingsRead): SettingsForm {
  const hours = fromApi({ days: settings.business_hours });
  const rules = settings.conversations;
  return {
    name: settings.name,
    timezone: settings.timezone,
    bot: Object.fromEntries(BOT_TEXTS.map((key) => [key, settings.bot?.[key] ?? ''])) as Record<BotTextKey, string>,
    numbers: Object.fromEntries(NUMBER_KEYS.map((key) => [key, String(rules?.[key] ?? '')])) as Record<NumberRule, string>,
    requireClosingReason: rules?.require_closing_reason ?? true,
    sendResolvedText: rules?.send_resolved_text ?? false,
    hoursEnabled: hours.enabled,
    days: hours.days,
  };
}

export type PlaceholderProblem = { kind: 'unbalanced' } | { kind: 'unknown'; names: string[] };

/** Python's str.format rules, as the server reads the texts: `{name}` is a placeholder,
 *  `{{` and `}}` are literal braces, anything else with a brace is an error. */
export function placeholderProblem(text: string): PlaceholderProblem | null {
  const unknown = new Set<string>();
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '}') {
      if (text[index + 1] !== '}') return { kind: 'unbalanced' };
      index += 1;
    } else if (char === '{') {
      if (text[index + 1] === '{') {
        index += 1;
        continue;
      }
      const end = text.indexOf('}', index);
      if (end < 0 || text.slice(index + 1, end).includes('{')) return { kind: 'unbalanced' };
      // "{agent!r}" and "{agent:>10}" name "agent".
      const name = text.slice(index + 1, end).split(/[!:]/)[0] ?? '';
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) unknown.add(name);
      index = end;
    }
  }
  return unknown.size > 0 ? { kind: 'unknown', names: [...unknown] } : null;
}

export type SettingsMessages = {
  required: string;
  tooShort: string;
  tooLong: string;
  range: string;
  unbalanced: string;
  unknown: (names: string[]) => string;
};

/** Errors by the API's field paths ("name", "bot.greeting", "conversations.idle_expiry_hours"). */
export function validateSettings(form: SettingsForm, messages: SettingsMessages): Record<string, string> {
  const found: Record<string, string> = {};
  const name = form.name.trim();
  if (!name) found.name = messages.required;
  else if (name.length < 2) found.name = messages.tooShort;
  else if (name.length > 120) found.name = messages.tooLong;
  if (!form.timezone.trim()) found.timezone = messages.required;
  for (const key of BOT_TEXTS) {
    const text = form.bot[key];
    const problem = placeholderProblem(text);
    if (!text.trim()) found[`bot.${key}`] = messages.required;
    else if (text.length > 4096) found[`bot.${key}`] = messages.tooLong;
    else if (problem?.kind === 'unbalanced') found[`bot.${key}`] = messages.unbalanced;
    else if (problem?.kind === 'unknown') found[`bot.${key}`] = messages.unknown(problem.names);
  }
  for (const key of NUMBER_KEYS) {
    const [min, max] = NUMBER_RULES[key];
    const raw = form.numbers[key].trim();
    const value = Number(raw);
    if (raw === '' || !Number.isInteger(value) || value < min || value > max) {
      found[`conversations.${key}`] = messages.range;
    }
  }
  return found;
}

/** The PATCH body: only the texts and rules that differ from the saved ones (the server
 *  merges them), and the schedule whole (it replaces it). */
export function settingsPatch(saved: SettingsForm, form: SettingsForm): SettingsUpdate {
  const body: SettingsUpdate = {};
  if (form.name.trim() !== saved.name) body.name = form.name.trim();
  if (form.timezone.trim() !== saved.timezone) body.timezone = form.timezone.trim();
  const bot = Object.fromEntries(BOT_TEXTS.filter((key) => form.bot[key] !== saved.bot[key]).map((key) => [key, form.bot[key]]));
  if (Object.keys(bot).length > 0) body.bot = bot;
  const rules: NonNullable<SettingsUpdate['conversations']> = {};
  for (const key of NUMBER_KEYS) {
    if (form.numbers[key].trim() !== saved.numbers[key]) rules[key] = Number(form.numbers[key]);
  }
  if (form.requireClosingReason !== saved.requireClosingReason) rules.require_closing_reason = form.requireClosingReason;
  if (form.sendResolvedText !== saved.sendResolvedText) rules.send_resolved_text = form.sendResolvedText;
  if (Object.keys(rules).length > 0) body.conversations = rules;
  const hours = toApi(form.hoursEnabled, '', form.days).days ?? {};
  const savedHours = toApi(saved.hoursEnabled, '', saved.days).days ?? {};
  if (JSON.stringify(hours) !== JSON.stringify(savedHours)) body.business_hours = hours;
  return body;
}
