/** Filling in an approved Cloud API template (M7): its body variables, the send request's
 *  components (providers.md §1.8) and the text the agents see in the chat. */
import type { TemplateRead } from '@/client';

export type TemplateValues = Record<string, string>;

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** `text` with each `{{variable}}` replaced by its value; unfilled ones stay as they are. */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(VARIABLE, (whole, name: string) => values[name]?.trim() || whole);
}

/** The values to send, as WhatsApp takes them: one line, no run of spaces (Meta refuses
 *  parameters with new lines, tabs or more than four spaces in a row). */
export function cleanValue(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

export function missingParameters(template: TemplateRead, values: TemplateValues): string[] {
  return template.parameters.filter((name) => !cleanValue(values[name] ?? ''));
}

/** The `components` of POST /api/messages/send-template: the body's parameters in order,
 *  named ones with their names. */
export function templateComponents(template: TemplateRead, values: TemplateValues): Record<string, unknown>[] {
  if (template.parameters.length === 0) return [];
  return [
    {
      type: 'body',
      parameters: template.parameters.map((name) => ({
        type: 'text',
        ...(template.named_parameters ? { parameter_name: name } : {}),
        text: cleanValue(values[name] ?? ''),
      })),
    },
  ];
}

/** What the customer will read: header, body and footer, filled in. */
export function templatePreview(template: TemplateRead, values: TemplateValues): string {
  const clean = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, cleanValue(value)]));
  return [template.header, fillTemplate(template.body, clean), template.footer]
    .filter((part): part is string => Boolean(part))
    .join('\n\n');
}
