// e2e: the operations panes (alerts, hotline, reciprocity, sensors) of the
// two centres of `cairn demo` (WARSAW-CC, KALININGRAD-CC) joined by the
// hotline, each console in its own Debian chromium.
//   - the scenario's no-transponder aircraft (baltic-sea) raises an alert in
//     WARSAW-CC's console and the alarm sounds (the <audio> element plays:
//     not paused, its time moving); "silence" stops it for that alert,
//     "sound off" mutes everything; "acknowledge";
//   - "draft a hotline message" on that alert opens an INCIDENT_REPORT in
//     the compose form (the centre's draft, or the console's own while the
//     centre has no draft endpoint: printed), a bad field is refused before
//     sending, and it is sent;
//   - KALININGRAD-CC's console shows it in its inbox in English and Russian side
//     by side, also with the interface in Russian; an operator there
//     acknowledges it;
//   - the sender's outbox shows it delivered, then read by that operator;
//   - an EXPLANATION_REQUEST from WARSAW-CC shows its 48-hour countdown at
//     KALININGRAD-CC; at WARSAW-CC, whose deadline the demo shortens
//     (--deadline-s 20), it turns overdue: the case in red and first, the
//     banner, the tab's badge, the status bar;
//   - a LINK_CHECK counts minutes (5);
//   - sensors one click away; the reciprocity pane without summaries says so;
//   - KALININGRAD-CC frozen (SIGSTOP): WARSAW-CC's status bar shows the link
//     down within seconds (measured and printed).
// Screenshots of both consoles go to BUILD/e2e-artifacts.
// usage: node console_ops.mjs CAIRN_BINARY
import { readFileSync } from 'node:fs';
import { requireBrowser, requireCairn, deadline, check as check0 } from './lib/env.mjs';

const T0 = Date.now();
const check = (c, what) => check0(c, `${what} [${((Date.now() - T0) / 1000).toFixed(0)} s]`);
import { startDemo } from './lib/demo.mjs';
import { launch, newPage, login, tid, screenshot } from './lib/browser.mjs';

deadline(400000, 'console_ops');
const pw = await requireBrowser();
const bin = requireCairn(process.argv[2]);

const DEADLINE_S = 20;
const demo = await startDemo({ bin, speed: 10, args: ['--deadline-s', String(DEADLINE_S), '--hours', '1'] });
const [W, M] = demo.centres; // WARSAW-CC, KALININGRAD-CC
const WN = W.name, MN = M.name;
const browsers = [];
let failed = false;
const pages = {};

const row = (pane, attrs) => `${tid(`${pane}-row`)}${Object.entries(attrs).map(([k, v]) => `[data-${k}="${v}"]`).join('')}`;

async function openTab(page, id) {
  await page.click(tid(`tab-${id}`));
  await page.waitForSelector(`${tid(`pane-${id}`)}:visible`);
}

async function hotlineView(page, v) {
  await openTab(page, 'hotline');
  await page.click(tid(`hotline-tab-${v}`));
}

try {
  // one browser per console: two WebGL maps in one headless chromium stall
  // each other's frames (seen here: the second page never painted)
  browsers.push(await launch(pw), await launch(pw));
  const pa = await newPage(browsers[0], W.url, { width: 1440, height: 810 });
  pages.warsaw = pa;
  await login(pa, W.user, W.password);
  await pa.waitForSelector(`${tid('app')}:visible`, { timeout: 60000 });
  const pb = await newPage(browsers[1], M.url, { width: 1440, height: 810, lang: 'ru' });
  pages.kaliningrad = pb;
  await login(pb, M.user, M.password);
  await pb.waitForSelector(`${tid('app')}:visible`, { timeout: 60000 });
  check(true, 'both consoles logged in');

  // ------------------------------------------------------------ the alarm
  await openTab(pa, 'alerts');
  // cleared alerts stay listed, so that a row does not vanish between two
  // steps (the demo's alerts open and clear as its aircraft move, at x10)
  await pa.check(tid('alerts-show-cleared'));
  const audio = tid('alerts-alarm');
  // the alert, and the alarm sounding for it, seen together in one look
  const seen = await pa.waitForFunction((sel) => {
    const au = document.querySelector(sel);
    if (!au || au.paused || au.dataset.state !== 'playing') return null;
    const ids = au.dataset.sounding.split(',');
    const row = [...document.querySelectorAll('[data-testid="alerts-row"][data-rule="NO_TRANSPONDER"]')]
      .find((r) => ids.includes(r.dataset.id));
    return row ? { id: row.dataset.id, severity: row.dataset.severity } : null;
  }, audio, { timeout: 60000 }).then((h) => h.jsonValue());
  const alertId = seen.id;
  const nox = `${tid('alerts-row')}[data-id="${alertId}"]`;
  check(true, `the no-transponder aircraft raised alert ${alertId} (${seen.severity}) and the alarm sounds for it`);
  const text = await pa.textContent(`${nox} ${tid('alerts-text')}`);
  check(/No transponder/.test(text), `its explanation: "${text.trim()}"`);
  check(/Hypothesis|Гипотеза/.test(await pa.textContent(`${nox} ${tid('alerts-hypothesis')}`)), 'the hypothesis line is shown');
  // the tone loops (1.5 s): its time moves, and may wrap
  const t1 = await pa.$eval(audio, (e) => e.currentTime);
  await pa.waitForTimeout(400);
  const t2 = await pa.$eval(audio, (e) => e.currentTime);
  check(t2 !== t1 && !(await pa.$eval(audio, (e) => e.paused)),
    `the audio element plays (looped, currentTime ${t1.toFixed(2)} -> ${t2.toFixed(2)} s)`);
  check(await pa.$eval(audio, (e) => e.src.startsWith('blob:')), 'the alarm tone is generated in the page (no download)');
  await screenshot(pa, 'ops-warsaw-alarm');
  // the buttons, each pressed and read back in one step of the page (new
  // alerts keep coming in the demo)
  const press = (id) => pa.evaluate(([b, sel]) => {
    document.querySelector(`[data-testid="${b}"]`).click();
    const au = document.querySelector(sel);
    return { state: au.dataset.state, sounding: au.dataset.sounding, paused: au.paused };
  }, [id, audio]);
  let r = await press('alerts-alarm-silence');
  check(r.state === 'silenced' && r.sounding === '' && r.paused, `silence: quiet (${JSON.stringify(r)}); a newer alert sounds again`);
  r = await press('alerts-alarm-mute');
  check(r.state === 'muted' && r.paused, 'sound off: state muted, the audio paused');
  check(await pa.isVisible(tid('status-alarm')), 'sound off is shown in the status bar');
  r = await press('alerts-alarm-mute');
  check(r.state !== 'muted', `sound back on (${r.state})`);
  await pa.evaluate((sel) => document.querySelector(`${sel} [data-testid="alerts-ack"]`).click(), nox);
  await pa.waitForSelector(`${nox}[data-acked="yes"]`, { timeout: 15000 });
  check(/Acknowledged/.test(await pa.textContent(`${nox} ${tid('alerts-acked')}`)), 'the alert is acknowledged');
  check((await pa.textContent(`${nox} ${tid('alerts-acked')}`)).includes(`by ${W.user}`), 'by the operator, as the centre recorded it');
  const srvAck = await pa.evaluate(async (id) => {
    const r = await (await fetch('/api/alerts', { credentials: 'same-origin' })).json();
    const a = (r.alerts || []).find((x) => String(x.id) === String(id));
    return a ? a.ack || null : 'gone';
  }, alertId);
  check(srvAck === 'gone' || (srvAck && srvAck.user === W.user && srvAck.t_ms > 0),
    `the centre lists the acknowledgement (${JSON.stringify(srvAck)})`);
  check(!(await pa.$eval(audio, (e) => e.dataset.sounding.split(','))).includes(alertId), 'and does not sound');

  // ---------------------------------------------- draft from the alert, send
  await pa.evaluate((sel) => document.querySelector(`${sel} [data-testid="alerts-draft"]`).click(), nox);
  await pa.waitForSelector(`${tid('hotline-compose-form')}:visible`, { timeout: 10000 });
  const ctype = await pa.$eval(tid('hotline-compose-type'), (e) => e.value);
  check(ctype === 'INCIDENT_REPORT', `the draft is an INCIDENT_REPORT (${ctype})`);
  const local = await pa.isVisible(tid('hotline-compose-note'));
  console.log(local ? 'note: the centre has no POST /api/alerts/ID/draft: the console drafted from the alert itself'
    : 'note: the draft came from the centre (POST /api/alerts/ID/draft)');
  check(await pa.$eval(tid('hotline-field-kind'), (e) => e.value) === 'NO_TRANSPONDER', 'kind NO_TRANSPONDER');
  const pos = await pa.$eval(tid('hotline-field-position'), (e) => e.value);
  check(/^-?\d+\.\d+,-?\d+\.\d+$/.test(pos), `position filled (${pos})`);
  check(/полёт без ответчика/.test(await pa.textContent(tid('hotline-compose-preview-ru'))), 'the Russian preview reads "полёт без ответчика"');
  // field validation: a time that does not exist is refused before sending
  const occurred = await pa.$eval(tid('hotline-field-occurred'), (e) => e.value);
  await pa.fill(tid('hotline-field-occurred'), '2026-02-30T10:00:00Z');
  await pa.waitForSelector(`${tid('hotline-error-occurred')}:has-text("UTC")`, { timeout: 5000 });
  check(true, 'an impossible date (2026-02-30) is marked as the operator types it');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Not sent")`, { timeout: 5000 });
  check(/UTC/.test(await pa.textContent(tid('hotline-error-occurred'))), 'and refused by "Send", nothing sent');
  await pa.fill(tid('hotline-field-occurred'), occurred);
  await pa.fill(tid('hotline-field-description'), 'Primary-only aircraft, no transponder, no flight plan, low passes over a warship.');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Sent")`, { timeout: 10000 });
  const sentText = await pa.textContent(tid('hotline-compose-result'));
  const seq = Number(/no\. (\d+)/.exec(sentText)[1]);
  check(seq >= 1, `sent: ${sentText.trim()}`);

  // ------------------------------------------- outbox: sent then delivered
  await hotlineView(pa, 'outbox');
  const outRow = `${tid('hotline-msg-row')}[data-id="${MN}:${seq}"]`;
  await pa.waitForSelector(`${outRow}[data-delivery="delivered"]`, { timeout: 15000 });
  check(true, 'the sender sees it delivered (the peer\'s receipt)');

  // ------------------------------------ the other centre: inbox, EN and RU
  await hotlineView(pb, 'inbox');
  const inRow = `${tid('hotline-msg-row')}[data-id="${WN}:${seq}"]`;
  await pb.waitForSelector(inRow, { timeout: 15000 });
  const en = await pb.textContent(`${inRow} ${tid('hotline-msg-text-en')}`);
  const ru = await pb.textContent(`${inRow} ${tid('hotline-msg-text-ru')}`);
  check(/Report of a hazardous incident: NO_TRANSPONDER/.test(en), `${MN} reads it in English`);
  check(/Донесение об опасном инциденте: полёт без ответчика/.test(ru), `${MN} reads it in Russian, side by side`);
  check(/Primary-only aircraft/.test(en) && /Primary-only aircraft/.test(ru), 'the free text is in both');
  // the interface in Russian
  if (!/Входящие/.test(await pb.textContent(tid('hotline-tab-inbox')))) await pb.click(tid('lang-switch'));
  check(/Входящие/.test(await pb.textContent(tid('hotline-tab-inbox'))), 'the interface in Russian ("Входящие")');
  check(/Подтвердить прочтение/.test(await pb.textContent(`${inRow} ${tid('hotline-ack')}`)), 'the acknowledge button in Russian');
  await screenshot(pb, 'ops-kaliningrad-inbox-ru');
  await pb.click(`${inRow} ${tid('hotline-ack')}`);
  await pb.waitForSelector(`${inRow}[data-acked="yes"]`, { timeout: 10000 });
  check(true, `an operator of ${MN} acknowledged it`);
  await pb.click(tid('lang-switch'));
  check(/Inbox/.test(await pb.textContent(tid('hotline-tab-inbox'))), 'and back to English');

  // ----------------------------------------------- the sender sees it read
  await pa.waitForSelector(`${outRow}[data-delivery="read"]`, { timeout: 15000 });
  check(/read by duty/.test(await pa.textContent(outRow)), 'the sender sees it read by the operator ("read by duty")');
  await screenshot(pa, 'ops-warsaw-outbox-read');

  // ------------------------- a 48-hour countdown there, overdue here
  await hotlineView(pa, 'compose');
  await pa.selectOption(tid('hotline-compose-type'), 'EXPLANATION_REQUEST');
  await pa.fill(tid('hotline-field-activity'), 'Snap exercise of air defence units near the border');
  await pa.fill(tid('hotline-field-area'), '54.5,19.5;54.9,20.5;54.3,21.0');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Sent")`, { timeout: 10000 });
  const exCase = /case (\S+)\)/.exec(await pa.textContent(tid('hotline-compose-result')))[1];
  const tSent = Date.now();
  await hotlineView(pb, 'cases');
  const caseRowB = `${tid('hotline-case-row')}[data-id="${exCase}"]`;
  await pb.waitForSelector(caseRowB, { timeout: 15000 });
  await pb.waitForFunction((sel) => /4[78]:\d\d:\d\d/.test(document.querySelector(sel).textContent),
    `${caseRowB} ${tid('hotline-case-countdown')}`, { timeout: 5000 });
  const cdb = await pb.textContent(`${caseRowB} ${tid('hotline-case-countdown')}`);
  const leftB = Number(await pb.getAttribute(`${caseRowB} ${tid('hotline-case-countdown')}`, 'data-remaining-s'));
  check(leftB > 47.9 * 3600 && leftB <= 48 * 3600, `EXPLANATION_REQUEST ${exCase} at ${MN}: countdown "${cdb}" (${leftB} s left)`);
  check(await pb.isVisible(`${caseRowB} ${tid('hotline-case-reply')}`), `${MN} owes the reply and may send it from the case`);
  await screenshot(pb, 'ops-kaliningrad-48h');
  await hotlineView(pa, 'cases');
  const caseRow = `${tid('hotline-case-row')}[data-id="${exCase}"]`;
  await pa.waitForSelector(caseRow, { timeout: 10000 });
  const leftA = Number(await pa.getAttribute(`${caseRow} ${tid('hotline-case-countdown')}`, 'data-remaining-s'));
  check(leftA <= DEADLINE_S, `at ${WN} (deadline shortened to ${DEADLINE_S} s) it counts down: ${leftA} s left`);
  await pa.waitForSelector(`${caseRow}[data-state="overdue"]`, { timeout: (DEADLINE_S + 20) * 1000 });
  check(true, `it turned overdue ${((Date.now() - tSent) / 1000).toFixed(1)} s after it was sent`);
  check(await pa.isVisible(tid('hotline-overdue-banner')), 'the overdue banner is shown over the hotline pane');
  const border = await pa.$eval(caseRow, (e) => getComputedStyle(e).borderTopColor);
  check(border === 'rgb(255, 59, 59)', `the overdue case is drawn in red (${border})`);
  const first = await pa.$eval(tid('hotline-case-list'), (e) => e.querySelector('[data-testid="hotline-case-row"]').dataset.id);
  check(first === exCase, 'overdue cases come first');
  check(/OVERDUE by/.test(await pa.textContent(`${caseRow} ${tid('hotline-case-countdown')}`)), 'its countdown says OVERDUE by ...');
  check((await pa.getAttribute(tid('tab-hotline-badge'), 'class')).includes('alarm'), 'the hotline tab\'s badge is red');
  check(await pa.isVisible(tid('status-overdue')), 'the status bar says so too, whatever pane is open');
  await screenshot(pa, 'ops-warsaw-overdue');

  // ------------------------------------------ a link check counts minutes
  await hotlineView(pa, 'compose');
  await pa.selectOption(tid('hotline-compose-type'), 'LINK_CHECK');
  await pa.fill(tid('hotline-field-nonce'), 'e2e-1');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Sent")`, { timeout: 10000 });
  const lcCase = /case (\S+)\)/.exec(await pa.textContent(tid('hotline-compose-result')))[1];
  await hotlineView(pa, 'cases');
  const lcRow = `${tid('hotline-case-row')}[data-id="${lcCase}"]`;
  await pa.waitForSelector(`${lcRow}[data-state="open"]`, { timeout: 10000 });
  await pa.waitForFunction((sel) => /in 0:0[45]:\d\d/.test(document.querySelector(sel).textContent), `${lcRow} ${tid('hotline-case-countdown')}`, { timeout: 5000 });
  check(true, `LINK_CHECK ${lcCase}: "${await pa.textContent(`${lcRow} ${tid('hotline-case-countdown')}`)}"`);

  // ------------------------------------------------------ sensors, reciprocity
  await openTab(pa, 'sensors');
  await pa.waitForSelector(tid('sensors-row'), { timeout: 15000 });
  const srow = await pa.textContent(tid('sensors-row'));
  const nIn = await pa.locator(tid('sensors-row')).count();
  check(nIn >= 1, `sensor health one click away: ${nIn} input(s), the first: ${srow.replace(/\s+/g, ' ').trim()}`);
  await openTab(pa, 'compliance');
  await pa.waitForSelector(`${tid('compl-none')}, ${tid('compl-pair')}`, { timeout: 10000 });
  if (await pa.isVisible(tid('compl-none'))) check(true, 'reciprocity: "none yet" before any summary');
  // each side sends its summary (POST /api/compliance), then both are side by side
  await openTab(pb, 'compliance');
  await pa.click(tid('compl-send'));
  await pb.click(tid('compl-send'));
  await pa.waitForSelector(`${tid('compl-note')}:visible`, { timeout: 10000 });
  const sendNote = await pa.textContent(tid('compl-note'));
  if (/sent/i.test(sendNote) && !/Not sent/.test(sendNote)) {
    const pairSel = `${tid('compl-pair')}[data-id="${MN}"]`;
    await pa.waitForFunction((sel) => { const e = document.querySelector(sel); return e && !/none yet/.test(e.querySelector('[data-testid="compl-theirs"]').textContent); },
      pairSel, { timeout: 30000 });
    check(/no\. \d+/.test(await pa.textContent(`${pairSel} ${tid('compl-ours')}`)), 'reciprocity: our summary ...');
    check(/no\. \d+/.test(await pa.textContent(`${pairSel} ${tid('compl-theirs')}`)), `... and ${MN}'s, side by side`);
    await screenshot(pa, 'ops-warsaw-reciprocity');
  } else {
    console.log(`note: the centre sent no summary (${sendNote.trim()}): reciprocity shows "none yet"`);
  }

  // ----------------------------------------------------------- link down
  await pa.waitForSelector(`${tid(`peer-${MN}`)}[data-state="up"]`, { timeout: 10000 });
  await screenshot(pb, 'ops-kaliningrad');
  const tStop = Date.now();
  process.kill(M.pid, 'SIGSTOP'); // frozen: its connection stays open, the heartbeats stop
  await pa.waitForSelector(`${tid(`peer-${MN}`)}[data-state="down"]`, { timeout: 20000 });
  const dt = (Date.now() - tStop) / 1000;
  check(dt < 12, `${WN}'s status bar shows the link to ${MN} down ${dt.toFixed(1)} s after ${MN} froze`);
  await screenshot(pa, 'ops-warsaw-link-down');
  process.kill(M.pid, 'SIGCONT');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.stack || e}`);
  for (const [n, p] of Object.entries(pages)) await screenshot(p, `ops-FAILED-${n}`).catch(() => {});
  console.error(`--- cairn demo:\n${demo.log().split('\n').slice(-15).join('\n')}`);
  for (const c of demo.centres) {
    let log = '';
    try { log = readFileSync(c.log, 'utf8'); } catch { /* gone */ }
    console.error(`--- ${c.name} log (tail):\n${log.split('\n').slice(-25).join('\n')}`);
  }
} finally {
  for (const b of browsers) await b.close();
  await demo.stop();
}
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
