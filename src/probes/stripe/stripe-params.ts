// The parameter of the stripe action, declared once for the button, the press-time check and the
// executor's own check before the id goes into a request path.
import type { StringParam } from '../../actions/param-spec.ts';

/** A webhook endpoint id: we_ and letters and digits (nothing that could change the request path). */
export const WEBHOOK_ENDPOINT_ID: StringParam = {
  type: 'string',
  maxLength: 67,
  pattern: /^we_[A-Za-z0-9]{1,64}$/,
  accepts: 'a Stripe webhook endpoint id: we_ followed by 1 to 64 letters or digits',
};
