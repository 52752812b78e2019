// The baseline of the ack benchmark: a bare Bolt app in HTTP mode that acks a no-op command.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: 'xoxb-bench',
  signingSecret: process.env.SLACK_SIGNING_SECRET!,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.WARN,
});
app.command('/noop', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.stdout.write('ready\n');
