// Preloaded with `node --import` into a CLI run: records every module the process loads and, at
// exit, writes them to the file named by CHATOPS_MODULE_TRACE as JSON ({ urls, maxRssKiB }).
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const out = process.env.CHATOPS_MODULE_TRACE;
const urls: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    urls.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify({ urls, maxRssKiB: process.resourceUsage().maxRSS }));
});
