// A signer with a fixed key, for tests that drive the pager or the channel poster without a bot.
import { staticKeyRing } from '../../src/security/signing-keys.ts';
import { ValueSigner } from '../../src/security/value-signer.ts';

export const TEST_SIGNER = new ValueSigner(staticKeyRing([{ id: 'test', secret: Buffer.alloc(32, 7) }]));
