// The playground's page: a banner saying what it runs against, the channels on the left, the
// selected channel's messages with a message box for slash commands, direct messages and pages on
// the right, and layers for dialogs and confirmations. The page starts empty: what the bot posted
// arrives over /events (replayed on connect) and app.js puts it in place. Every word is escaped,
// and the document has no inline style or script (the CSP allows only /assets/).
import { escapeHtml } from './escape-html.ts';
import type { PlaygroundChannel } from './playground-types.ts';

export interface PageOptions {
  title: string;
  /** Which config is loaded, and lines on how to point the playground at your own systems. */
  banner: { config: string; lines: string[] };
  channels: PlaygroundChannel[];
  /** Who the page's user is in the bot's eyes (access rules, mentions). */
  user: { id: string; name: string };
  /** Sent back with every POST (x-playground-token): another site's page cannot drive the bot. */
  token: string;
  /** The address the playground listens on. */
  listening: string;
}

const EXAMPLES = ['/diag db', '/diag all', '/runbook', '/incident declare sev2 …', '/oncall', '/digest now', '/triage …'];

export function renderPage(o: PageOptions): string {
  const title = escapeHtml(o.title);
  const channels = o.channels.map(
    (c, i) =>
      `<li><button type="button" class="channel${i === 0 ? ' selected' : ''}" data-channel="${escapeHtml(c.id)}"${i === 0 ? ' aria-current="true"' : ''}><span class="hash">#</span> ${escapeHtml(c.name)}<span class="unread" hidden></span></button></li>`,
  );
  const views = o.channels.map(
    (c, i) =>
      `<section class="channel-view" data-channel-view="${escapeHtml(c.id)}" data-channel-name="${escapeHtml(c.name)}" aria-label="#${escapeHtml(c.name)}"${i === 0 ? '' : ' hidden'}><p class="empty">Nothing in #${escapeHtml(c.name)} yet: type a command below.</p></section>`,
  );
  const first = o.channels[0];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="playground-token" content="${escapeHtml(o.token)}">
<meta name="playground-user" content="${escapeHtml(o.user.id)}">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="banner">
<div class="banner-main"><strong>${title}</strong> <span class="banner-config">${escapeHtml(o.banner.config)}</span> <span class="banner-listening">Listening on <code>${escapeHtml(o.listening)}</code></span> <span id="connection" class="connection" role="status">connecting…</span></div>
${o.banner.lines.length > 0 ? `<ul class="banner-lines">${o.banner.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : ''}
</header>
<div class="layout">
<nav class="sidebar" aria-label="Channels">
<h2>Channels</h2>
<ul id="channels">${channels.join('')}</ul>
<p class="you">You are <span class="mention user self">@${escapeHtml(o.user.name)}</span></p>
</nav>
<main class="main">
<h2 id="channel-title" class="channel-title">#${escapeHtml(first?.name ?? '')}</h2>
<div id="views" class="views">
${views.join('\n')}
</div>
<form id="composer" class="composer" autocomplete="off">
<input id="composer-text" name="text" type="text" required aria-label="Message" placeholder="A slash command: ${escapeHtml(EXAMPLES.join(', '))}">
<button type="submit" class="btn primary">Send</button>
</form>
<p id="composer-error" class="page-error" role="alert" hidden></p>
</main>
<aside class="panel" aria-label="Direct messages and pages">
<h2>Direct messages and pages</h2>
<p class="panel-note">What the bot would send people privately (pages of an incident, direct messages) shows here instead.</p>
<div id="panel-messages" class="panel-messages"><p class="empty">None yet.</p></div>
</aside>
</div>
<div id="dialog-layer" class="layer" hidden></div>
<div id="confirm-layer" class="layer" hidden>
<div class="confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">
<h2 id="confirm-title"></h2>
<p id="confirm-text"></p>
<div class="dialog-buttons"><button type="button" class="btn" id="confirm-deny"></button><button type="button" class="btn danger" id="confirm-ok"></button></div>
</div>
</div>
</body>
</html>
`;
}
