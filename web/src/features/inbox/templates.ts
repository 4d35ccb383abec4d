/** Filling in an approved Cloud API template (M7): the values its header, body and buttons
 *  take at each send, the send request's components (providers.md §1.8) and the text the
 *  agents see in the chat. */
import type { TemplateRead } from '@/client';

/** Values by field key (`TemplateField.key`). */
export type TemplateValues = Record<string, string>;

export type MediaFormat = Extract<TemplateRead['header_format'], 'image' | 'video' | 'document'>;

/** The field key of the header's media link. */
export const MEDIA_KEY = 'header:media';

/** One value the agent gives: a variable of the header or the body, the link of the
 *  header's media, or a button's value. */
export type TemplateField =
  | { key: string; part: 'header' | 'body'; name: string }
  | { key: string; part: 'media'; format: MediaFormat }
  | { key: string; part: 'button'; button: TemplateRead['buttons'][number] };

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const LINK = /^https?:\/\/[^\s/]+\.[^\s]+$/i;

/** Whether `value` is a web address Meta can download a header's media from. */
export function isMediaLink(value: string): boolean {
  return LINK.test(value.trim());
}

export function mediaFormat(template: TemplateRead): MediaFormat | null {
  const format = template.header_format;
  return format === 'image' || format === 'video' || format === 'document' ? format : null;
}

/** Every value the template takes at a send, in the order the form asks for them. */
export function templateFields(template: TemplateRead): TemplateField[] {
  const format = mediaFormat(template);
  return [
    ...template.header_parameters.map((name) => ({ key: `header:${name}`, part: 'header' as const, name })),
    ...(format ? [{ key: MEDIA_KEY, part: 'media' as const, format }] : []),
    ...template.parameters.map((name) => ({ key: name, part: 'body' as const, name })),
    ...template.buttons.map((button) => ({ key: `button:${button.index}`, part: 'button' as const, button })),
  ];
}

/** `text` with each `{{variable}}` replaced by its value; unfilled ones stay as they are. */
export function fillTemplate(text: string, values: TemplateValues, prefix = ''): string {
  return text.replace(VARIABLE, (whole, name: string) => values[`${prefix}${name}`]?.trim() || whole);
}

/** The values to send, as WhatsApp takes them: one line, no run of spaces (Meta refuses
 *  parameters with new lines, tabs or more than four spaces in a row). */
export function cleanValue(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** The keys of the fields still to fill in; a media link must be a web address Meta can
 *  download from. */
export function missingParameters(template: TemplateRead, values: TemplateValues): string[] {
  return templateFields(template)
    .filter((field) => {
      const value = cleanValue(values[field.key] ?? '');
      return field.part === 'media' ? !isMediaLink(value) : !value;
    })
    .map((field) => field.key);
}

function textParameter(template: TemplateRead, name: string, value: string) {
  return { type: 'text', ...(template.named_parameters ? { parameter_name: name } : {}), text: cleanValue(value) };
}

/** The `components` of POST /api/messages/send-template: the header's variable or media
 *  link, the body's parameters in order (named ones with their names), each button's
 *  value at its index. */
export function templateComponents(template: TemplateRead, values: TemplateValues): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  const format = mediaFormat(template);
  if (template.header_parameters.length) {
    components.push({
      type: 'header',
      parameters: template.header_parameters.map((name) => textParameter(template, name, values[`header:${name}`] ?? '')),
    });
  } else if (format) {
    const link = cleanValue(values[MEDIA_KEY] ?? '');
    components.push({ type: 'header', parameters: [{ type: format, [format]: { link } }] });
  }
  if (template.parameters.length) {
    components.push({
      type: 'body',
      parameters: template.parameters.map((name) => textParameter(template, name, values[name] ?? '')),
    });
  }
  for (const button of template.buttons) {
    const value = cleanValue(values[`button:${button.index}`] ?? '');
    components.push({
      type: 'button',
      sub_type: button.type,
      index: String(button.index),
      parameters: [button.type === 'url' ? { type: 'text', text: value } : { type: 'coupon_code', coupon_code: value }],
    });
  }
  return components;
}

/** What the customer will read: header, body and footer, filled in; a media header as its
 *  link, for the agents who read the chat later. */
export function templatePreview(template: TemplateRead, values: TemplateValues): string {
  const clean = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, cleanValue(value)]));
  const media = mediaFormat(template) ? clean[MEDIA_KEY] : undefined;
  return [
    media ? `📎 ${media}` : null,
    template.header ? fillTemplate(template.header, clean, 'header:') : null,
    fillTemplate(template.body, clean),
    template.footer,
  ]
    .filter((part): part is string => Boolean(part))
    .join('\n\n');
}
