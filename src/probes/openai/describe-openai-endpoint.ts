// Which OpenAI-compatible server a target talks to, for the report's header and the findings:
// the base URL (never the key) and the provider it belongs to, when the host says it.
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';

/** "https://api.openai.com/v1 (OpenAI)", "https://openrouter.ai/api/v1 (OpenRouter)", "http://127.0.0.1:8000/v1 (local server)". */
export function describeOpenaiEndpoint(url: string): string {
  const base = describeHttpEndpoint(url);
  if (!base) return '';
  const provider = providerOf(new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  return provider ? `${base} (${provider})` : base;
}

function providerOf(host: string): string | undefined {
  if (host === 'api.openai.com' || host.endsWith('.api.openai.com')) return 'OpenAI';
  if (/\.(?:openai\.azure\.com|services\.ai\.azure\.com|cognitiveservices\.azure\.com)$/.test(host)) return 'Azure OpenAI';
  if (host === 'openrouter.ai' || host.endsWith('.openrouter.ai')) return 'OpenRouter';
  if (host === 'localhost' || host === '::1' || /^127\./.test(host) || host.endsWith('.local') || host.endsWith('.localhost')) return 'local server';
  if (/^(?:10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.)/.test(host)) return 'server on the private network';
  return 'OpenAI-compatible server';
}
