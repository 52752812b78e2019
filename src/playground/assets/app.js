// The playground page's script: puts what the bot posts (server-rendered, already escaped HTML,
// live over /events) in place, and sends what the user does (commands, button presses, dialogs)
// to the playground's API. No framework and no build step; no HTML is built here from anything
// but the server's `html`, and nothing is inserted as markup except through a template element.
/* global document, window, fetch, EventSource, CSS, setTimeout */
'use strict';

(function playground() {
  const token = document.querySelector('meta[name="playground-token"]').getAttribute('content');
  const views = document.getElementById('views');
  const panel = document.getElementById('panel-messages');
  const channelList = document.getElementById('channels');
  const channelTitle = document.getElementById('channel-title');
  const composer = document.getElementById('composer');
  const composerText = document.getElementById('composer-text');
  const pageError = document.getElementById('composer-error');
  const connection = document.getElementById('connection');
  const dialogLayer = document.getElementById('dialog-layer');
  const confirmLayer = document.getElementById('confirm-layer');

  let selected = channelList.querySelector('.channel.selected')?.dataset.channel ?? '';
  const unread = new Map();

  // --- Showing errors ------------------------------------------------------------------------

  function showError(words) {
    pageError.textContent = words;
    pageError.hidden = false;
  }

  function clearError() {
    pageError.textContent = '';
    pageError.hidden = true;
  }

  // --- Talking to the server -----------------------------------------------------------------

  /** POSTs JSON with the page's token; resolves with the answer's JSON, or throws its error words. */
  async function post(path, body) {
    let res;
    try {
      res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-playground-token': token }, body: JSON.stringify(body) });
    } catch (err) {
      throw new Error(`The playground did not answer (${err.message}): is npm start still running?`, { cause: err });
    }
    let answer = {};
    const text = await res.text();
    if (text) {
      try {
        answer = JSON.parse(text);
      } catch {
        answer = { error: text.slice(0, 300) };
      }
    }
    // A dialog's field errors are an answer to show next to the fields, whatever the status.
    if (!res.ok && !answer.errors) throw new Error(answer.error || `${path} answered ${res.status} ${res.statusText}`);
    return answer;
  }

  // --- Server HTML into the page -------------------------------------------------------------

  /** The server's HTML (escaped by the server) as nodes, through a template: never run as script. */
  function fromHtml(html) {
    const t = document.createElement('template');
    t.innerHTML = html;
    return t.content;
  }

  const TIME_FORMATS = {
    datetime: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
    'datetime-secs': { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' },
    time: { hour: '2-digit', minute: '2-digit' },
    'time-secs': { hour: '2-digit', minute: '2-digit', second: '2-digit' },
  };

  /** Times in the reader's own zone and language; the UTC words stay as the tooltip. */
  function localiseTimes(root) {
    for (const el of root.querySelectorAll('time[datetime]')) {
      const at = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(at.getTime())) continue;
      const options = TIME_FORMATS[el.dataset.format] ?? TIME_FORMATS.datetime;
      if (!el.title) el.title = el.textContent;
      el.textContent = new Intl.DateTimeFormat(undefined, options).format(at);
    }
  }

  function selector(attr, value) {
    return `[${attr}="${CSS.escape(value)}"]`;
  }

  /** The element a channel's messages go in; one is made for a channel the page did not list. */
  function viewOf(channel) {
    const found = views.querySelector(selector('data-channel-view', channel));
    if (found) return found;
    const view = document.createElement('section');
    view.className = 'channel-view';
    view.dataset.channelView = channel;
    view.dataset.channelName = channel;
    view.hidden = channel !== selected;
    views.append(view);
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'channel';
    button.dataset.channel = channel;
    const hash = document.createElement('span');
    hash.className = 'hash';
    hash.textContent = '#';
    const badge = document.createElement('span');
    badge.className = 'unread';
    badge.hidden = true;
    button.append(hash, ` ${channel}`, badge);
    li.append(button);
    channelList.append(li);
    return view;
  }

  /** A message and the replies in its thread, below it. */
  function entryFor(ts, article) {
    const entry = document.createElement('div');
    entry.className = 'entry';
    entry.dataset.entry = ts;
    const thread = document.createElement('div');
    thread.className = 'thread';
    thread.dataset.threadOf = ts;
    entry.append(article, thread);
    return entry;
  }

  function onMessage(e) {
    const content = fromHtml(e.html);
    const article = content.querySelector('article.msg');
    if (!article) return;
    // A press names the version it was made on: the bot refuses one made on buttons since replaced.
    article.dataset.version = e.version ?? '';
    localiseTimes(content);
    const container = e.panel ? panel : viewOf(e.channel);
    // An update, or a message seen before (the stream replays what was posted on reconnect): in place.
    const existing = container.querySelector(`article.msg${selector('data-ts', e.ts)}`);
    if (existing) {
      existing.replaceWith(article);
      return;
    }
    container.querySelector(':scope > .empty')?.remove();
    const stick = nearBottom(container);
    const parent = e.threadTs && e.threadTs !== e.ts ? container.querySelector(`.thread${selector('data-thread-of', e.threadTs)}`) : null;
    if (parent) parent.append(article);
    else container.append(entryFor(e.ts, article));
    article.classList.add('new');
    if (stick) container.scrollTop = container.scrollHeight;
    if (!e.panel && e.channel !== selected && e.created) {
      unread.set(e.channel, (unread.get(e.channel) ?? 0) + 1);
      showUnread(e.channel);
    }
  }

  function nearBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  function showUnread(channel) {
    const badge = channelList.querySelector(`.channel${selector('data-channel', channel)} .unread`);
    if (!badge) return;
    const n = unread.get(channel) ?? 0;
    badge.textContent = String(n);
    badge.hidden = n === 0;
  }

  function select(channel) {
    selected = channel;
    for (const b of channelList.querySelectorAll('.channel')) {
      const on = b.dataset.channel === channel;
      b.classList.toggle('selected', on);
      if (on) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
    for (const v of views.querySelectorAll('.channel-view')) v.hidden = v.dataset.channelView !== channel;
    const view = views.querySelector(selector('data-channel-view', channel));
    channelTitle.textContent = `#${view?.dataset.channelName ?? channel}`;
    unread.set(channel, 0);
    showUnread(channel);
    if (view) view.scrollTop = view.scrollHeight;
    composerText.focus();
  }

  // --- Dialogs -------------------------------------------------------------------------------

  function onDialog(e) {
    const content = fromHtml(e.html);
    const form = content.querySelector('form.dialog');
    if (!form) return;
    const existing = dialogLayer.querySelector(`form.dialog${selector('data-dialog', e.id)}`);
    if (existing) existing.replaceWith(form);
    else dialogLayer.append(form);
    // One dialog shows at a time: the newest, like Slack's stack of views.
    for (const f of dialogLayer.querySelectorAll('form.dialog')) f.hidden = f !== form;
    dialogLayer.hidden = false;
    form.querySelector('input, select, textarea')?.focus();
  }

  function closeDialog(id) {
    dialogLayer.querySelector(`form.dialog${selector('data-dialog', id)}`)?.remove();
    const rest = dialogLayer.querySelectorAll('form.dialog');
    if (rest.length === 0) dialogLayer.hidden = true;
    else rest[rest.length - 1].hidden = false;
  }

  function dialogError(form, words) {
    const slot = form.querySelector('[data-dialog-error]');
    slot.textContent = words;
    slot.hidden = !words;
  }

  async function submitDialog(form) {
    const id = form.dataset.dialog;
    const values = {};
    for (const input of form.querySelectorAll('[data-block-id]')) {
      const block = input.dataset.blockId;
      values[block] = values[block] ?? {};
      values[block][input.dataset.actionId] = input.value;
    }
    for (const slot of form.querySelectorAll('[data-error-for]')) {
      slot.textContent = '';
      slot.hidden = true;
    }
    dialogError(form, '');
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const answer = await post('/api/dialog', { dialog: id, values });
      if (answer.errors && Object.keys(answer.errors).length > 0) {
        // The dialog stays open, each error next to its field (or at the bottom for an unknown one).
        for (const [block, words] of Object.entries(answer.errors)) {
          const slot = form.querySelector(`[data-error-for="${CSS.escape(block)}"]`);
          if (slot) {
            slot.textContent = String(words);
            slot.hidden = false;
          } else dialogError(form, `${block}: ${words}`);
        }
        return;
      }
      closeDialog(id);
    } catch (err) {
      dialogError(form, err.message);
      showError(err.message);
    } finally {
      submit.disabled = false;
    }
  }

  async function closeDialogByUser(form) {
    try {
      await post('/api/dialog/close', { dialog: form.dataset.dialog });
      closeDialog(form.dataset.dialog);
    } catch (err) {
      dialogError(form, err.message);
      showError(err.message);
    }
  }

  // --- Buttons -------------------------------------------------------------------------------

  /** Asks "are you sure?" in the page with the button's own words; resolves true for ok. */
  function askConfirm(d) {
    return new Promise((resolve) => {
      const ok = document.getElementById('confirm-ok');
      const deny = document.getElementById('confirm-deny');
      document.getElementById('confirm-title').textContent = d.confirmTitle ?? '';
      document.getElementById('confirm-text').textContent = d.confirmText ?? '';
      ok.textContent = d.confirmOk || 'OK';
      deny.textContent = d.confirmDeny || 'Cancel';
      confirmLayer.hidden = false;
      deny.focus();
      const done = (answer) => {
        confirmLayer.hidden = true;
        ok.removeEventListener('click', yes);
        deny.removeEventListener('click', no);
        document.removeEventListener('keydown', escape);
        resolve(answer);
      };
      const yes = () => done(true);
      const no = () => done(false);
      const escape = (ev) => {
        if (ev.key === 'Escape') done(false);
      };
      ok.addEventListener('click', yes);
      deny.addEventListener('click', no);
      document.addEventListener('keydown', escape);
    });
  }

  async function press(el, event) {
    const confirming = el.dataset.confirmTitle !== undefined;
    // A link opens by itself; one that asks first opens only after ok.
    if (confirming || el.tagName !== 'A') event.preventDefault();
    if (el.classList.contains('pressed')) return;
    if (confirming && !(await askConfirm(el.dataset))) return;
    if (confirming && el.tagName === 'A') window.open(el.href, '_blank', 'noopener,noreferrer');
    // Briefly not pressable again: a double click would send twice (the bot takes it once anyway).
    el.classList.add('pressed');
    if (el.tagName === 'BUTTON') el.disabled = true;
    setTimeout(() => {
      el.classList.remove('pressed');
      if (el.tagName === 'BUTTON') el.disabled = false;
    }, 1500);
    clearError();
    try {
      const version = el.closest('article.msg')?.dataset.version ?? '';
      await post('/api/press', { ts: el.dataset.ts, button: Number(el.dataset.button), version });
    } catch (err) {
      showError(err.message);
    }
  }

  // --- Wiring --------------------------------------------------------------------------------

  document.addEventListener('click', (event) => {
    const target = event.target instanceof window.Element ? event.target : null;
    if (!target) return;
    const channelButton = target.closest('#channels .channel');
    if (channelButton) return select(channelButton.dataset.channel);
    const close = target.closest('[data-dialog-close]');
    if (close) return void closeDialogByUser(close.closest('form.dialog'));
    const pressable = target.closest('[data-button][data-ts]');
    if (pressable) return void press(pressable, event);
  });

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (form instanceof window.HTMLFormElement && form.matches('form.dialog')) {
      event.preventDefault();
      void submitDialog(form);
    }
  });

  // Escape closes the dialog on top (as its Close button does), unless a confirmation is asking.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || dialogLayer.hidden || !confirmLayer.hidden) return;
    const open = [...dialogLayer.querySelectorAll('form.dialog')].find((f) => !f.hidden);
    if (open) void closeDialogByUser(open);
  });

  // Up and down walk through the commands sent from this page, as a shell does.
  const history = [];
  let back = 0;
  composerText.addEventListener('keydown', (event) => {
    if ((event.key !== 'ArrowUp' && event.key !== 'ArrowDown') || history.length === 0) return;
    event.preventDefault();
    back = Math.max(0, Math.min(history.length, back + (event.key === 'ArrowUp' ? 1 : -1)));
    composerText.value = back === 0 ? '' : history[history.length - back];
  });

  composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = composerText.value.trim();
    if (!text) return;
    clearError();
    const send = composer.querySelector('button[type="submit"]');
    send.disabled = true;
    try {
      await post('/api/command', { channel: selected, text });
      if (history[history.length - 1] !== text) history.push(text);
      back = 0;
      composerText.value = '';
    } catch (err) {
      // The words stay in the box, to correct and send again.
      showError(err.message);
    } finally {
      send.disabled = false;
      composerText.focus();
    }
  });

  const events = new EventSource('/events');
  events.addEventListener('open', () => {
    connection.textContent = 'live';
    connection.classList.remove('lost');
  });
  events.addEventListener('error', () => {
    connection.textContent = 'reconnecting…';
    connection.classList.add('lost');
  });
  events.addEventListener('message', (m) => {
    let e;
    try {
      e = JSON.parse(m.data);
    } catch {
      showError(`The playground sent an event the page cannot read: ${String(m.data).slice(0, 120)}`);
      return;
    }
    if (e.type === 'message') onMessage(e);
    else if (e.type === 'dialog') onDialog(e);
    else if (e.type === 'dialog-closed') closeDialog(e.id);
  });

  localiseTimes(document);
  composerText.focus();
})();
