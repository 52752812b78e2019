// A running remedy's progress line in the report's thread ("⏳ @alice restarting deployment/api in
// shop: 2/5 new pods ready"), edited in place until the outcome replaces it.
import { progressMessage, user, type Message } from '../message/message.ts';

export function actionProgressMessage(presser: string, progress: string): Message {
  return progressMessage(user(presser), ' ', progress);
}
