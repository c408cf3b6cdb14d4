// hotline.js: the hotline pane. Four views:
//   Cases    every case with its due time and a countdown on the hotline's
//            clock (48 h for an explanation, minutes for a link check);
//            overdue cases first, in red, and a banner over the whole pane
//   Inbox    the peers' messages, English and Russian side by side, with
//            "acknowledge (read)" for those no operator here has read
//   Outbox   ours, with their delivery state: sent (in our journal),
//            delivered (the peer's signed receipt), read (the peer's
//            operator acknowledged it)
//   Compose  a message from the catalogue's forms, checked field by field
//            as typed (validate.js), with the text the peer will read in
//            both languages
// The daemon publishes no hotline events on the stream yet, so the pane asks
// for the link every 2 s and the lists every 3 s (small answers: the last
// 200 messages), and at once after anything it sends. Should the stream
// carry "message", "case" or "link" events one day, they trigger a reload.
import { get, post, events, subscribe } from '../api.js';
import { t, add, onChange, fmtUtc, getLang } from '../i18n.js';
import { el, clear } from './dom.js';
import { types, typeSpec, typeTitle, fieldLabel, enumWord, renderBody, commonFields } from './catalogue.js';
import { checkField, checkForm, timeText } from './validate.js';
import { fmtCountdown as fmtCd } from './policy.js';

const fmtCountdown = (s) => fmtCd(s, getLang());

add({
  en: {
    'hotline.cases': 'Cases', 'hotline.inbox': 'Inbox', 'hotline.outbox': 'Outbox', 'hotline.compose': 'Compose',
    'hotline.none': 'Nothing here.',
    'hotline.drafts': 'Drafts', 'hotline.draft.open': 'Open', 'hotline.draft.delete': 'Delete',
    'hotline.unread': '{n} hotline message(s) unread',
    'hotline.nohotline': 'This centre has no hotline.',
    'hotline.overdue.banner': '{n} overdue case(s): a reply is late',
    'hotline.case.owed.us': 'we owe {r}',
    'hotline.case.owed.peer': '{p} owes {r}',
    'hotline.case.due': 'due {t}',
    'hotline.case.in': 'in {d}',
    'hotline.case.over': 'OVERDUE by {d}',
    'hotline.case.closed': 'closed by no. {s}',
    'hotline.case.late': 'late',
    'hotline.case.state.open': 'open', 'hotline.case.state.overdue': 'OVERDUE', 'hotline.case.state.closed': 'closed',
    'hotline.case.reply': 'Reply',
    'hotline.case.ack': 'Acknowledge',
    'hotline.case.showclosed': 'Show closed',
    'hotline.msg.no': 'no. {n}',
    'hotline.msg.from': 'from {p}',
    'hotline.msg.to': 'to {p}',
    'hotline.msg.case': 'case {c}',
    'hotline.msg.sent': 'sent',
    'hotline.msg.delivered': 'delivered',
    'hotline.msg.read': 'read by {u}',
    'hotline.msg.unread': 'not yet read here',
    'hotline.msg.readhere': 'read here by {u}',
    'hotline.msg.ack': 'Acknowledge (read)',
    'hotline.msg.ack.failed': 'Acknowledgement failed: {e}',
    'hotline.msg.details': 'Details',
    'hotline.msg.signature': 'Signature',
    'hotline.compose.to': 'To',
    'hotline.compose.type': 'Message',
    'hotline.compose.case': 'Case',
    'hotline.compose.case.hint': 'empty: a new case when the type opens one',
    'hotline.compose.send': 'Send',
    'hotline.compose.clear': 'Clear',
    'hotline.compose.now': 'now',
    'hotline.compose.preview': 'The peer will read',
    'hotline.compose.sent': 'Sent: no. {n} to {p}{c}.',
    'hotline.compose.refused': 'Not sent: {e}',
    'hotline.compose.invalid': 'Not sent: {n} field(s) to correct.',
    'hotline.compose.fromalert': 'Drafted from alert {a}.',
    'hotline.compose.required': 'required',
    'hotline.err.required': 'Required.',
    'hotline.err.int': 'A whole number.',
    'hotline.err.seq': 'A message number, 1 or more.',
    'hotline.err.time': 'UTC time as YYYY-MM-DDTHH:MM:SSZ, a date and time that exist.',
    'hotline.err.track': 'Track: 1-32 of A-Z a-z 0-9 _ . : / - (T1234, icao:4CA1F2).',
    'hotline.err.position': 'Position: lat,lon in decimal degrees (54.35,19.28).',
    'hotline.err.area': 'Area: 3 to 64 positions lat,lon separated by ";".',
    'hotline.err.enum': 'Choose one of the list.',
    'hotline.err.text': 'No control characters or direction overrides.',
    'hotline.err.long': 'At most 4096 bytes.',
    'hotline.link.up': 'link up', 'hotline.link.down': 'LINK DOWN',
    'hotline.link.counts': 'sent {s} · delivered {d} · received {r}',
  },
  ru: {
    'hotline.cases': 'Дела', 'hotline.inbox': 'Входящие', 'hotline.outbox': 'Исходящие', 'hotline.compose': 'Новое',
    'hotline.none': 'Пусто.',
    'hotline.drafts': 'Проекты', 'hotline.draft.open': 'Открыть', 'hotline.draft.delete': 'Удалить',
    'hotline.unread': 'Непрочитанных сообщений: {n}',
    'hotline.nohotline': 'У этого центра нет прямой линии.',
    'hotline.overdue.banner': 'Просроченных дел: {n} — ответ запаздывает',
    'hotline.case.owed.us': 'мы должны: {r}',
    'hotline.case.owed.peer': '{p} должен: {r}',
    'hotline.case.due': 'срок {t}',
    'hotline.case.in': 'осталось {d}',
    'hotline.case.over': 'ПРОСРОЧЕНО на {d}',
    'hotline.case.closed': 'закрыто сообщением № {s}',
    'hotline.case.late': 'с опозданием',
    'hotline.case.state.open': 'открыто', 'hotline.case.state.overdue': 'ПРОСРОЧЕНО', 'hotline.case.state.closed': 'закрыто',
    'hotline.case.reply': 'Ответить',
    'hotline.case.ack': 'Подтвердить',
    'hotline.case.showclosed': 'Показать закрытые',
    'hotline.msg.no': '№ {n}',
    'hotline.msg.from': 'от {p}',
    'hotline.msg.to': 'для {p}',
    'hotline.msg.case': 'дело {c}',
    'hotline.msg.sent': 'отправлено',
    'hotline.msg.delivered': 'доставлено',
    'hotline.msg.read': 'прочитано: {u}',
    'hotline.msg.unread': 'здесь ещё не прочитано',
    'hotline.msg.readhere': 'прочитано здесь: {u}',
    'hotline.msg.ack': 'Подтвердить прочтение',
    'hotline.msg.ack.failed': 'Не удалось подтвердить: {e}',
    'hotline.msg.details': 'Подробно',
    'hotline.msg.signature': 'Подпись',
    'hotline.compose.to': 'Кому',
    'hotline.compose.type': 'Сообщение',
    'hotline.compose.case': 'Дело',
    'hotline.compose.case.hint': 'пусто: новое дело, если тип его открывает',
    'hotline.compose.send': 'Отправить',
    'hotline.compose.clear': 'Очистить',
    'hotline.compose.now': 'сейчас',
    'hotline.compose.preview': 'Получатель прочтёт',
    'hotline.compose.sent': 'Отправлено: № {n} для {p}{c}.',
    'hotline.compose.refused': 'Не отправлено: {e}',
    'hotline.compose.invalid': 'Не отправлено: исправьте поля ({n}).',
    'hotline.compose.fromalert': 'Проект по тревоге {a}.',
    'hotline.compose.required': 'обязательно',
    'hotline.err.required': 'Обязательное поле.',
    'hotline.err.int': 'Целое число.',
    'hotline.err.seq': 'Номер сообщения, от 1.',
    'hotline.err.time': 'Время UTC в виде ГГГГ-ММ-ДДTЧЧ:ММ:ССZ (существующие дата и время).',
    'hotline.err.track': 'Трек: 1–32 знака A-Z a-z 0-9 _ . : / - (T1234, icao:4CA1F2).',
    'hotline.err.position': 'Координаты: широта,долгота в градусах (54.35,19.28).',
    'hotline.err.area': 'Район: от 3 до 64 точек широта,долгота через «;».',
    'hotline.err.enum': 'Выберите из списка.',
    'hotline.err.text': 'Без управляющих символов и смены направления текста.',
    'hotline.err.long': 'Не более 4096 байт.',
    'hotline.link.up': 'связь есть', 'hotline.link.down': 'НЕТ СВЯЗИ',
    'hotline.link.counts': 'отправлено {s} · доставлено {d} · получено {r}',
  },
});

/** A case id as a test id: "WARSAW-CC/2" -> "WARSAW-CC-2". */
export const caseKey = (c) => String(c).replace(/[^A-Za-z0-9_-]/g, '-');

const msgKey = (m) => `${m.dir}:${m.peer}:${m.seq}`;
const isoMs = (s) => (s ? Date.parse(s) : NaN);

export function mountHotline(root) {
  let view = 'cases';
  let link = null; // /api/link
  let available = true;
  let clockOffset = 0; // hotline clock - Date.now()
  let cases = [];
  let msgs = []; // merged: {..., textEn, textRu}
  let showClosed = false;
  let note = '';
  let busy = false;
  const compose = { to: '', type: 'FREE_TEXT', case: '', values: {}, touched: {}, note: '', result: '', alert: null, draftId: null };
  let drafts = null; // GET /api/messages/drafts, null: the centre keeps none
  let lastSig = '';

  const banner = el('div', { class: 'hl-banner', 'data-testid': 'hotline-overdue-banner', role: 'alert', hidden: true });
  const linkBar = el('div', { class: 'hl-link', 'data-testid': 'hotline-link' });
  const tabs = el('div', { class: 'hl-tabs', role: 'tablist', 'data-testid': 'hotline-tabs' });
  const body = el('div', { class: 'hl-body', 'data-testid': 'hotline-body' });
  const noteEl = el('p', { class: 'ops-note', 'data-testid': 'hotline-note', role: 'status', hidden: true });
  root.append(banner, linkBar, tabs, noteEl, body);

  const now = () => Date.now() + clockOffset;

  function setView(v) {
    view = v;
    render();
  }

  // ---------------------------------------------------------------- data

  async function loadLink() {
    try {
      const r = await get('/api/link');
      link = r;
      available = true;
      const srv = isoMs(r.now);
      if (Number.isFinite(srv)) clockOffset = srv - Date.now();
      events.emit('ui.link', r);
    } catch (e) {
      if (e.status === 404) available = false;
      link = null;
      events.emit('ui.link', null);
    }
    renderLink();
  }

  async function loadLists() {
    if (!available) return;
    try {
      const [c, en, ru] = await Promise.all([
        get('/api/cases'),
        get('/api/messages?lang=en&limit=200'),
        get('/api/messages?lang=ru&limit=200'),
        loadDrafts(), // drafts made elsewhere (the track pane's "query the peer")
      ]);
      cases = c.cases || [];
      const ruBy = new Map((ru.messages || []).map((m) => [msgKey(m), m.text]));
      msgs = (en.messages || []).map((m) => ({ ...m, textEn: m.text, textRu: ruBy.get(msgKey(m)) ?? '' }));
      // redraw only what changed: an open "Details" stays open, a button
      // stays where the pointer is
      const sig = JSON.stringify([cases, msgs, drafts]);
      if (view !== 'compose' && sig !== lastSig) render();
      else renderTabs();
      lastSig = sig;
      badge();
    } catch (e) {
      if (e.status === 404) available = false;
    }
  }

  function badge() {
    const overdue = cases.filter((c) => c.state === 'overdue').length;
    const unread = msgs.filter((m) => m.dir === 'in' && !m.acked && m.type !== 'OPERATOR_ACK').length;
    events.emit('ui.badge', { pane: 'hotline', n: overdue + unread, level: overdue ? 'alarm' : unread ? 'warn' : '' });
    events.emit('ui.status', { key: 'overdue', text: overdue ? t('hotline.overdue.banner', { n: overdue }) : '', level: 'alarm' });
    events.emit('ui.status', { key: 'unread', text: unread ? t('hotline.unread', { n: unread }) : '', level: 'warn' });
  }

  // -------------------------------------------------------------- render

  function renderLink() {
    clear(linkBar);
    if (!available) {
      linkBar.append(el('span', { class: 'muted' }, t('hotline.nohotline')));
      return;
    }
    for (const p of (link && link.peers) || []) {
      linkBar.append(el('span', {
        class: `hl-peer ${p.up ? 'up' : 'down'}`, 'data-testid': `hotline-peer-${p.name}`, 'data-up': p.up ? 'yes' : 'no',
      }, el('b', {}, p.name), ' ', t(p.up ? 'hotline.link.up' : 'hotline.link.down'), ' · ',
      el('span', { class: 'muted' }, t('hotline.link.counts', { s: p.sent, d: p.delivered, r: p.received }))));
    }
  }

  // the tab buttons are made once and updated in place: a list refreshed
  // every 3 s must not pull a button from under the operator's pointer
  const tabBtn = new Map();
  function renderTabs() {
    const overdue = cases.filter((c) => c.state === 'overdue').length;
    const unread = msgs.filter((m) => m.dir === 'in' && !m.acked && m.type !== 'OPERATOR_ACK').length;
    const open = cases.filter((c) => c.state !== 'closed').length;
    const want = [['cases', 'hotline.cases', open, overdue > 0], ['inbox', 'hotline.inbox', unread, unread > 0],
      ['outbox', 'hotline.outbox', 0, false]];
    if (drafts) want.push(['drafts', 'hotline.drafts', drafts.length, false]);
    want.push(['compose', 'hotline.compose', 0, false]);
    const order = want.map((w) => w[0]).join();
    if (tabs.dataset.order !== order) {
      clear(tabs);
      tabBtn.clear();
      for (const [v] of want) {
        const b = el('button', { type: 'button', role: 'tab', 'data-testid': `hotline-tab-${v}` },
          el('span', { class: 'label' }), el('span', { class: 'count' }));
        b.onclick = () => setView(v);
        tabBtn.set(v, b);
        tabs.append(b);
      }
      tabs.dataset.order = order;
    }
    for (const [v, label, n, hot] of want) {
      const b = tabBtn.get(v);
      b.className = `hl-tab${view === v ? ' active' : ''}${hot ? ' hot' : ''}`;
      b.setAttribute('aria-selected', view === v ? 'true' : 'false');
      b.firstChild.textContent = t(label);
      b.lastChild.textContent = n ? String(n) : '';
      b.lastChild.hidden = !n;
    }
    banner.hidden = overdue === 0;
    banner.textContent = overdue ? t('hotline.overdue.banner', { n: overdue }) : '';
    banner.onclick = () => setView('cases');
  }

  function render() {
    renderTabs();
    noteEl.textContent = note;
    noteEl.hidden = !note;
    clear(body);
    body.dataset.view = view;
    if (!available) {
      body.append(el('p', { class: 'muted' }, t('hotline.nohotline')));
      return;
    }
    if (view === 'cases') renderCases();
    else if (view === 'inbox') renderMsgs('in');
    else if (view === 'outbox') renderMsgs('out');
    else if (view === 'drafts') renderDrafts();
    else renderCompose();
  }

  const STATE_RANK = { overdue: 0, open: 1, closed: 2 };

  function renderCases() {
    const chk = el('input', { type: 'checkbox', 'data-testid': 'hotline-show-closed', checked: showClosed });
    chk.onchange = () => { showClosed = chk.checked; render(); };
    body.append(el('div', { class: 'ops-tools' }, el('label', { class: 'ops-check' }, chk, t('hotline.case.showclosed'))));
    const rows = cases.filter((c) => showClosed || c.state !== 'closed')
      .sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || a.due_ms - b.due_ms);
    const list = el('ol', { class: 'hl-cases', 'data-testid': 'hotline-case-list' });
    if (!rows.length) list.append(el('li', { class: 'empty' }, t('hotline.none')));
    for (const c of rows) list.append(caseRow(c));
    body.append(list);
    tick();
  }

  function caseRow(c) {
    const lang = getLang();
    const weOwe = c.opened_by === 'peer';
    const owed = weOwe ? t('hotline.case.owed.us', { r: typeTitle(c.reply, lang) })
      : t('hotline.case.owed.peer', { p: c.peer, r: typeTitle(c.reply, lang) });
    const cd = el('span', { class: 'countdown', 'data-testid': 'hotline-case-countdown', 'data-due-ms': c.due_ms });
    const actions = el('div', { class: 'case-actions' });
    if (weOwe && c.state !== 'closed') {
      if (c.reply === 'OPERATOR_ACK') {
        const b = el('button', { type: 'button', 'data-testid': 'hotline-case-ack' }, t('hotline.case.ack'));
        b.onclick = () => ackMessage({ peer: c.peer, seq: c.open_seq });
        actions.append(b);
      } else {
        const b = el('button', { type: 'button', 'data-testid': 'hotline-case-reply' }, t('hotline.case.reply'));
        b.onclick = () => startCompose({ to: c.peer, type: c.reply, case: c.case, fields: {} });
        actions.append(b);
      }
    }
    return el('li', {
      class: `hl-case st-${c.state}${weOwe ? ' we-owe' : ''}`, 'data-testid': 'hotline-case-row', 'data-id': c.case,
      'data-state': c.state, 'data-type': c.type, 'data-case': c.case,
    },
    el('div', { class: 'case-head' },
      el('span', { class: 'case-state', 'data-testid': 'hotline-case-state' }, t(`hotline.case.state.${c.state}`)),
      el('b', {}, typeTitle(c.type, lang)), el('span', { class: 'muted' }, ` ${c.case}`)),
    el('div', { class: 'case-line' }, el('span', {}, owed), ' · ',
      el('span', {}, t('hotline.case.due', { t: fmtUtc(c.due_ms) })), ' · ', cd,
      c.late ? el('span', { class: 'late' }, ` · ${t('hotline.case.late')}`) : ''),
    c.state === 'closed' && c.closed_seq ? el('div', { class: 'muted' }, t('hotline.case.closed', { s: c.closed_seq })) : '',
    actions);
  }

  // the countdowns move every second without a reload
  function tick() {
    for (const cd of body.querySelectorAll('.countdown')) {
      const li = cd.closest('.hl-case');
      const st = li && li.dataset.state;
      const left = (Number(cd.dataset.dueMs) - now()) / 1000;
      cd.dataset.remainingS = String(Math.floor(left));
      if (st === 'closed') cd.textContent = '';
      else if (left >= 0) cd.textContent = t('hotline.case.in', { d: fmtCountdown(left) });
      else cd.textContent = t('hotline.case.over', { d: fmtCountdown(-left) });
      // past due on the clock, before the daemon's next check marks it
      if (li && st === 'open' && left < 0) li.classList.add('past-due');
    }
  }

  function renderMsgs(dir) {
    const rows = msgs.filter((m) => m.dir === dir).sort((a, b) => isoMs(b.stored) - isoMs(a.stored) || b.seq - a.seq);
    const list = el('ol', { class: 'hl-msgs', 'data-testid': `hotline-${dir === 'in' ? 'inbox' : 'outbox'}-list` });
    if (!rows.length) list.append(el('li', { class: 'empty' }, t('hotline.none')));
    for (const m of rows) list.append(msgRow(m));
    body.append(list);
  }

  function delivery(m) {
    if (m.acked) return 'read';
    if (m.delivered) return 'delivered';
    return 'sent';
  }

  function msgRow(m) {
    const lang = getLang();
    const id = `${m.peer}:${m.seq}`;
    const head = el('div', { class: 'msg-head' },
      el('b', {}, typeTitle(m.type, lang)), ' ',
      el('span', { class: 'muted' }, t('hotline.msg.no', { n: m.seq })), ' · ',
      el('span', {}, t(m.dir === 'in' ? 'hotline.msg.from' : 'hotline.msg.to', { p: m.peer })), ' · ',
      el('span', {}, fmtUtc(isoMs(m.created))),
      m.case ? el('span', { class: 'muted' }, ` · ${t('hotline.msg.case', { c: m.case })}`) : '');
    const texts = el('div', { class: 'msg-texts' },
      el('div', { class: 'msg-text', lang: 'en', 'data-testid': 'hotline-msg-text-en' }, el('span', { class: 'lang-tag' }, 'EN'), m.textEn),
      el('div', { class: 'msg-text', lang: 'ru', 'data-testid': 'hotline-msg-text-ru' }, el('span', { class: 'lang-tag' }, 'RU'), m.textRu));
    const state = el('div', { class: 'msg-state' });
    let cls = '';
    if (m.dir === 'out') {
      const d = delivery(m);
      cls = ` dl-${d}`;
      state.append(
        el('span', { class: `step${d ? ' done' : ''}` }, `✓ ${t('hotline.msg.sent')}`),
        el('span', { class: `step${d !== 'sent' ? ' done' : ''}` }, `✓ ${t('hotline.msg.delivered')}`),
        el('span', { class: `step${d === 'read' ? ' done' : ''}` }, `✓ ${t('hotline.msg.read', { u: m.ack_by || '…' })}`));
      state.dataset.delivery = d;
      state.setAttribute('data-testid', 'hotline-msg-delivery');
    } else if (m.type !== 'OPERATOR_ACK') {
      if (m.acked) {
        state.append(el('span', { class: 'step done', 'data-testid': 'hotline-msg-read' }, `✓ ${t('hotline.msg.readhere', { u: m.ack_by || '' })}`));
      } else {
        cls = ' unread';
        const b = el('button', { type: 'button', class: 'primary', 'data-testid': 'hotline-ack' }, t('hotline.msg.ack'));
        b.onclick = () => ackMessage(m);
        state.append(el('span', { class: 'unread-tag' }, t('hotline.msg.unread')), b);
      }
    }
    const details = el('details', { class: 'msg-details' }, el('summary', {}, t('hotline.msg.details')));
    details.ontoggle = () => { if (details.open && details.childElementCount === 1) loadDetails(m, details); };
    return el('li', {
      class: `hl-msg${cls}`, 'data-testid': 'hotline-msg-row', 'data-type': m.type,
      'data-id': id, 'data-dir': m.dir, 'data-delivery': m.dir === 'out' ? delivery(m) : null,
      'data-acked': m.acked ? 'yes' : 'no',
    }, head, texts, state, details);
  }

  async function loadDetails(m, box) {
    try {
      const q = `?dir=${m.dir}`;
      const [en, ru] = await Promise.all([
        get(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}${q}&lang=en`),
        get(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}${q}&lang=ru`),
      ]);
      const e = en.messages[0], r = ru.messages[0];
      const ty = typeSpec(e.type);
      const fields = (e.message && e.message.fields) || {};
      const lang = getLang();
      box.append(
        el('div', { class: 'msg-texts' },
          el('pre', { class: 'msg-text', lang: 'en' }, e.text), el('pre', { class: 'msg-text', lang: 'ru' }, r.text)),
        el('dl', { class: 'msg-fields' }, ...Object.entries(fields).flatMap(([k, v]) => {
          const spec = ty && (ty.fields.find((f) => f.name === k) || commonFields.find((f) => f.name === k));
          const shown = spec && spec.type === 'time' ? fmtUtc(v) : spec && spec.type === 'enum' ? `${v} (${enumWord(spec, v, 'ru')})` : String(v);
          return [el('dt', {}, spec ? `${fieldLabel(spec, lang)} (${k})` : k), el('dd', {}, shown)];
        })),
        el('p', { class: 'muted mono' }, `${t('hotline.msg.signature')}: ${(e.message && e.message.sig) || ''}`));
    } catch (err) {
      box.append(el('p', { class: 'ops-note' }, err.message));
    }
  }

  async function ackMessage(m) {
    note = '';
    try {
      await post(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}/ack`, {});
    } catch (e) {
      note = t('hotline.msg.ack.failed', { e: (e.body && e.body.message) || e.message });
    }
    await loadLists();
    render();
  }

  // ------------------------------------------------------------- compose

  function startCompose(d) {
    const to = Array.isArray(d.to) ? d.to[0] : d.to;
    compose.to = to || compose.to || firstPeer();
    compose.draftId = d.id ?? null;
    compose.type = d.type && typeSpec(d.type) ? d.type : 'FREE_TEXT';
    compose.case = d.case || '';
    compose.values = {};
    const ty = typeSpec(compose.type);
    for (const [k, v] of Object.entries(d.fields || {})) {
      const spec = ty && (ty.fields.find((f) => f.name === k) || commonFields.find((f) => f.name === k));
      // a draft may carry a time as ms since 1970 (the daemon takes both):
      // the operator reads and edits it as ISO 8601 UTC
      if (spec && spec.type === 'time' && /^[0-9]+$/.test(String(v))) compose.values[k] = timeText(Number(v));
      else compose.values[k] = v == null ? '' : String(v);
    }
    compose.touched = {};
    compose.note = d.note || '';
    compose.alert = d.alert ?? null;
    compose.result = '';
    setView('compose');
  }

  function firstPeer() {
    const p = (link && link.peers) || [];
    return p.length ? p[0].name : '';
  }

  function renderCompose() {
    const lang = getLang();
    const ty = typeSpec(compose.type);
    const form = el('form', { class: 'hl-compose', 'data-testid': 'hotline-compose-form', novalidate: true });
    if (compose.alert != null) form.append(el('p', { class: 'muted', 'data-testid': 'hotline-compose-from-alert' }, t('hotline.compose.fromalert', { a: compose.alert })));
    if (compose.note) form.append(el('p', { class: 'ops-note', 'data-testid': 'hotline-compose-note' }, t(compose.note)));

    const peers = ((link && link.peers) || []).map((p) => p.name);
    if (!compose.to) compose.to = peers[0] || '';
    const toSel = el('select', { name: 'to', 'data-testid': 'hotline-compose-to' },
      ...peers.map((p) => el('option', { value: p, selected: p === compose.to }, p)));
    toSel.onchange = () => { compose.to = toSel.value; };
    const typeSel = el('select', { name: 'type', 'data-testid': 'hotline-compose-type' },
      ...types.filter((x) => x.name !== 'OPERATOR_ACK').map((x) => el('option', { value: x.name, selected: x.name === compose.type },
        `${lang === 'ru' ? x.ru : x.en} (${x.name})`)));
    typeSel.onchange = () => { compose.type = typeSel.value; compose.touched = {}; compose.result = ''; render(); };
    const caseIn = el('input', { name: 'case', 'data-testid': 'hotline-compose-case', value: compose.case, placeholder: t('hotline.compose.case.hint') });
    caseIn.oninput = () => { compose.case = caseIn.value; };
    form.append(
      row(t('hotline.compose.to'), toSel), row(t('hotline.compose.type'), typeSel), row(t('hotline.compose.case'), caseIn));

    const preview = el('div', { class: 'msg-texts preview', 'data-testid': 'hotline-compose-preview' });
    const showPreview = () => {
      clear(preview);
      preview.append(
        el('div', { class: 'msg-text', lang: 'en', 'data-testid': 'hotline-compose-preview-en' }, el('span', { class: 'lang-tag' }, 'EN'), renderBody(compose.type, compose.values, 'en')),
        el('div', { class: 'msg-text', lang: 'ru', 'data-testid': 'hotline-compose-preview-ru' }, el('span', { class: 'lang-tag' }, 'RU'), renderBody(compose.type, compose.values, 'ru')));
    };

    for (const spec of [...ty.fields, ...commonFields]) {
      const err = el('span', { class: 'field-error', 'data-testid': `hotline-error-${spec.name}`, role: 'alert' });
      const other = lang === 'ru' ? spec.en : spec.ru;
      const label = el('span', { class: 'field-label' }, fieldLabel(spec, lang),
        el('span', { class: 'muted' }, ` · ${other}`), spec.required ? el('span', { class: 'req', title: t('hotline.compose.required') }, ' *') : '');
      let input;
      const v = compose.values[spec.name] ?? '';
      if (spec.type === 'enum') {
        input = el('select', { name: spec.name },
          el('option', { value: '', selected: v === '' }, '—'),
          ...spec.enums.map((code, i) => el('option', { value: code, selected: code === v },
            spec.enumsRu && spec.enumsRu[i] ? `${code} — ${spec.enumsRu[i]}` : code)));
      } else if (spec.type === 'text' || spec.type === 'area') {
        input = el('textarea', { name: spec.name, rows: spec.type === 'area' ? 2 : spec.name === 'text' || spec.name === 'body' || spec.name === 'description' ? 3 : 1 });
        input.value = v;
      } else {
        input = el('input', { name: spec.name, value: v, inputmode: spec.type === 'int' || spec.type === 'seq' ? 'numeric' : null,
          placeholder: { time: 'YYYY-MM-DDTHH:MM:SSZ', position: '54.35,19.28', track: 'T1234', seq: '1', int: '0' }[spec.type] || null });
      }
      input.setAttribute('data-testid', `hotline-field-${spec.name}`);
      const check = () => {
        const why = checkField(spec, spec.type === 'text' ? input.value : input.value.trim());
        const shown = why && (compose.touched[spec.name] || compose.touched._all);
        err.textContent = shown ? t(`hotline.err.${why}`) : '';
        input.classList.toggle('invalid', !!shown);
        input.setAttribute('aria-invalid', shown ? 'true' : 'false');
      };
      // a field's error shows once typing in it pauses (0.5 s), and goes
      // as soon as the value is good; never on blur, which would move the
      // button under a pointer on its way to "Send"
      let pause = 0;
      input.oninput = () => {
        compose.values[spec.name] = input.value;
        compose.result = '';
        showPreview();
        clearTimeout(pause);
        if (err.textContent) check();
        pause = setTimeout(() => { compose.touched[spec.name] = true; check(); }, 500);
      };
      input.onchange = input.oninput;
      const extra = [];
      if (spec.type === 'time') {
        const nowBtn = el('button', { type: 'button', class: 'small', 'data-testid': `hotline-now-${spec.name}` }, t('hotline.compose.now'));
        nowBtn.onclick = () => { input.value = timeText(Math.floor(now() / 1000) * 1000); input.oninput(); };
        extra.push(nowBtn);
      }
      form.append(el('label', { class: `field f-${spec.type}` }, label, el('span', { class: 'field-input' }, input, ...extra), err));
      check();
    }
    showPreview();
    const result = el('p', { class: `compose-result${compose.result.startsWith('!') ? ' bad' : ''}`, 'data-testid': 'hotline-compose-result', role: 'status' },
      compose.result.replace(/^!/, ''));
    const send = el('button', { type: 'submit', class: 'primary', 'data-testid': 'hotline-send', disabled: busy }, t('hotline.compose.send'));
    const clr = el('button', { type: 'button', 'data-testid': 'hotline-compose-clear' }, t('hotline.compose.clear'));
    clr.onclick = () => startCompose({ to: compose.to, type: compose.type });
    form.append(el('div', { class: 'compose-preview-wrap' }, el('b', {}, t('hotline.compose.preview')), preview),
      el('div', { class: 'compose-actions' }, send, clr), result);
    form.onsubmit = (ev) => { ev.preventDefault(); submit(); };
    body.append(form);
  }

  function row(label, input) {
    return el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), el('span', { class: 'field-input' }, input));
  }

  async function submit() {
    const ty = typeSpec(compose.type);
    const { errors, fields } = checkForm(ty, commonFields, compose.values);
    const bad = Object.keys(errors).length;
    if (bad || !compose.to) {
      compose.touched._all = true;
      compose.result = `!${t('hotline.compose.invalid', { n: bad + (compose.to ? 0 : 1) })}`;
      render();
      return;
    }
    const req = { to: compose.to, type: compose.type, fields };
    if (compose.case.trim()) req.case = compose.case.trim();
    busy = true;
    render();
    try {
      let r;
      if (compose.draftId != null) {
        // the centre's draft (from an alert): keep it as edited, then send
        // it, which the centre logs and deletes
        const id = encodeURIComponent(compose.draftId);
        await post(`/api/messages/drafts/${id}`, { ...req, to: [req.to] });
        const m = await post('/api/messages', { draft: compose.draftId, to: [req.to] });
        r = (m.sent && m.sent[0]) || {};
      } else {
        r = await post('/api/messages', req);
      }
      compose.result = t('hotline.compose.sent', { n: r.seq, p: compose.to, c: r.case ? ` (${t('hotline.msg.case', { c: r.case })})` : '' });
      compose.draftId = null;
      compose.values = {};
      compose.touched = {};
      compose.note = '';
      compose.alert = null;
      compose.case = '';
    } catch (e) {
      const f = e.body && e.body.failed && e.body.failed[0];
      compose.result = `!${t('hotline.compose.refused', { e: (f && (f.message || f.error)) || (e.body && (e.body.message || e.body.error)) || e.message })}`;
    }
    busy = false;
    await loadLists();
    await loadDrafts();
    render();
  }

  // -------------------------------------------------------------- drafts

  async function loadDrafts() {
    try {
      const r = await get('/api/messages/drafts');
      drafts = r.drafts || [];
    } catch { drafts = null; }
  }

  function renderDrafts() {
    const list = el('ol', { class: 'hl-msgs', 'data-testid': 'hotline-draft-list' });
    if (!drafts || !drafts.length) list.append(el('li', { class: 'empty' }, t('hotline.none')));
    const lang = getLang();
    for (const d of [...(drafts || [])].reverse()) {
      const open = el('button', { type: 'button', 'data-testid': 'hotline-draft-open' }, t('hotline.draft.open'));
      open.onclick = () => startCompose(d);
      const del = el('button', { type: 'button', 'data-testid': 'hotline-draft-delete' }, t('hotline.draft.delete'));
      del.onclick = async () => {
        try { await post(`/api/messages/drafts/${encodeURIComponent(d.id)}/delete`, {}); } catch (e) { note = e.message; }
        await loadDrafts();
        render();
      };
      list.append(el('li', { class: 'hl-msg', 'data-testid': 'hotline-draft-row', 'data-id': d.id },
        el('div', { class: 'msg-head' }, el('b', {}, typeTitle(d.type, lang)), ' · ',
          t('hotline.msg.to', { p: (d.to || []).join(', ') || '—' }), ' · ', d.updated || d.created || '',
          d.by ? ` · ${d.by}` : '', d.alert != null ? ` · ${t('hotline.compose.fromalert', { a: d.alert })}` : ''),
        el('div', { class: 'msg-texts' },
          el('div', { class: 'msg-text', lang: 'en' }, renderBody(d.type, d.fields || {}, 'en')),
          el('div', { class: 'msg-text', lang: 'ru' }, renderBody(d.type, d.fields || {}, 'ru'))),
        el('div', { class: 'case-actions' }, open, del)));
    }
    body.append(list);
  }

  // -------------------------------------------------------------- wiring

  let timers = [];
  function start() {
    stop();
    available = true;
    loadLink().then(loadLists).then(loadDrafts).then(renderTabs);
    timers = [setInterval(loadLink, 2000), setInterval(loadLists, 3000), setInterval(tick, 1000)];
  }
  function stop() { for (const x of timers) clearInterval(x); timers = []; }

  events.on('login', start);
  events.on('open', () => { loadLink(); loadLists(); });
  events.on('logout', () => { stop(); cases = []; msgs = []; link = null; render(); });
  events.on('ui.compose', (d) => { loadDrafts(); startCompose(d || {}); });
  for (const n of ['message', 'case', 'link']) subscribe(n, () => { loadLink(); loadLists(); });
  onChange(() => { render(); renderLink(); badge(); });
  render();
  start(); // mounted after the login
  return { reload: () => { loadLink(); loadLists(); }, setView };
}
