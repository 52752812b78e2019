// The secret values of a stripe target, for the engine's masking of findings and for the action's
// own messages: the API key and the webhook signing secret, the latter also as it is once the
// whitespace or quotes a copy-paste left around it are gone (the form a receiver would use).

export function stripeSecrets(target: { readonly apiKey?: unknown; readonly webhookSecret?: unknown }): string[] {
  const apiKey = typeof target.apiKey === 'string' ? target.apiKey : '';
  const secret = typeof target.webhookSecret === 'string' ? target.webhookSecret : '';
  const bare = secret.trim().replace(/^["'`]+|["'`]+$/g, '');
  return [...new Set([apiKey, apiKey.trim(), secret, bare])].filter((s) => s.length > 0);
}
