// A bad configuration value in words for a problem message: a mapping or a list is described,
// never printed (it may hold a URL, a token, a header); text is masked and cut.
import { redactSecrets } from '../redact-secrets.ts';

export function showValue(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
  }
  // Masked whole, then cut: a cut never leaves part of a secret.
  const text = redactSecrets(JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
