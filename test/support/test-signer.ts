// A signer with a fixed key, for tests that drive the pager or the channel poster without a bot.
import { staticKeyRing } from '../../src/security/signing-keys.ts';
import { ValueSigner } from '../../src/security/value-signer.ts';

export const TEST_SIGNER = new ValueSigner(staticKeyRing([{ id: 'test', secret: Buffer.alloc(32, 7) }]));

/** The value the bot wrote into a button before it signed it (`cs1.<key>.<expiry>.<nonce>.<mac>.<value>`). */
export function unsealedValue(signed: string): string {
  const parts = signed.split('.');
  if (parts[0] !== 'cs1' || parts.length < 6) throw new Error(`not a signed value: ${signed.slice(0, 40)}`);
  return parts.slice(5).join('.');
}
