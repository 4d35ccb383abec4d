/** What each provider needs to be created, mirroring REQUIRED_FIELDS in
 *  src/nexus/connections/schemas.py, so the form asks for exactly those fields and can
 *  say which is missing before the server does. */
import type { ChannelKind, ConnectionCreate } from '@/client';

export const CHANNELS: ChannelKind[] = ['waha', 'evolution', 'cloud_api', 'telegram', 'sandbox'];

type ProviderFieldKey =
  | 'phone_number_id'
  | 'api_version'
  | 'waba_id'
  | 'access_token'
  | 'app_secret'
  | 'base_url'
  | 'session'
  | 'instance'
  | 'api_key'
  | 'bot_token';

export type ProviderField = {
  /** The key inside `config` or `secrets`. */
  key: ProviderFieldKey;
  /** Secrets are encrypted at rest and never shown again once saved. */
  secret: boolean;
  required: boolean;
  placeholder?: string;
};

export const PROVIDER_FIELDS: Record<ChannelKind, ProviderField[]> = {
  cloud_api: [
    { key: 'phone_number_id', secret: false, required: true, placeholder: '123456789012345' },
    { key: 'api_version', secret: false, required: false, placeholder: 'v23.0' },
    // Needed to list the account's approved templates (sent outside the 24-hour window).
    { key: 'waba_id', secret: false, required: false, placeholder: '102290129340398' },
    { key: 'access_token', secret: true, required: true },
    { key: 'app_secret', secret: true, required: true },
  ],
  waha: [
    { key: 'base_url', secret: false, required: true, placeholder: 'http://waha:3000' },
    { key: 'session', secret: false, required: true, placeholder: 'default' },
    { key: 'api_key', secret: true, required: true },
  ],
  evolution: [
    { key: 'base_url', secret: false, required: true, placeholder: 'http://evolution:8080' },
    { key: 'instance', secret: false, required: true, placeholder: 'nexus' },
    { key: 'api_key', secret: true, required: true },
  ],
  telegram: [{ key: 'bot_token', secret: true, required: true, placeholder: '123456:ABC-DEF…' }],
  sandbox: [],
};

/** The form's name for a provider field: the path the API uses in its error details. */
export function fieldPath(field: ProviderField): string {
  return `${field.secret ? 'secrets' : 'config'}.${field.key}`;
}

/** Providers whose phone is paired by scanning a QR code, with a session to start and stop. */
export function hasGatewaySession(channel: ChannelKind): boolean {
  return channel === 'waha' || channel === 'evolution';
}

export type ProviderValues = Record<string, string>;

/** The required fields left empty, by path. A secret already stored (when editing) counts as
 *  given: an empty secret input means "keep it". */
export function missingProviderFields(
  channel: ChannelKind,
  values: ProviderValues,
  storedSecrets: readonly string[] = [],
): string[] {
  return PROVIDER_FIELDS[channel]
    .filter((field) => field.required)
    .filter((field) => !(values[fieldPath(field)] ?? '').trim())
    .filter((field) => !(field.secret && storedSecrets.includes(field.key)))
    .map(fieldPath);
}

/** `config` and `secrets` for the API: trimmed, without empty values (an empty secret keeps
 *  the stored one; an empty optional setting falls back to the provider's default). */
export function providerBody(
  channel: ChannelKind,
  values: ProviderValues,
): Required<Pick<ConnectionCreate, 'config' | 'secrets'>> {
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const field of PROVIDER_FIELDS[channel]) {
    const value = (values[fieldPath(field)] ?? '').trim();
    if (!value) continue;
    if (field.secret) secrets[field.key] = value;
    else config[field.key] = value;
  }
  return { config, secrets };
}

/** The simulated phone of a sandbox connection: its key is the webhook URL's last segment. */
export function sandboxPhoneUrl(webhookUrl: string, verifyToken: string): string {
  const key = new URL(webhookUrl, window.location.origin).pathname.split('/').filter(Boolean).pop() ?? '';
  return `/sandbox/${encodeURIComponent(key)}?token=${encodeURIComponent(verifyToken)}`;
}
