// e2e: the operations panes (alerts, hotline, reciprocity, sensors) of two
// centres joined by the hotline, each in its own Debian chromium page.
//   - the scenario's no-transponder aircraft raises an alert in WARSAW-CC's
//     console and the alarm sounds (the <audio> element plays: not paused,
//     its time moving); "silence" stops it, "sound off" is remembered;
//   - "draft a hotline message" on that alert opens an INCIDENT_REPORT in
//     the compose form (the centre's draft, or the console's own while the
//     centre has no draft endpoint: printed), a bad field is refused before
//     sending, and it is sent;
//   - MOSCOW-CC's console shows it in its inbox in English and Russian side
//     by side, also with the interface in Russian; an operator there
//     acknowledges it;
//   - the sender's outbox shows it delivered, then read by that operator;
//   - an EXPLANATION_REQUEST shows a 48-hour countdown on both sides;
//   - a LINK_CHECK with a 4 s deadline (link_check_deadline_s) turns
//     overdue: the case in red, the banner, the tab's badge, the status bar;
//   - sensors one click away; the reciprocity pane without summaries says so;
//   - MOSCOW-CC stopped: WARSAW-CC's status bar shows the link down within
//     seconds (measured and printed).
// Screenshots of both consoles go to BUILD/e2e-artifacts.
// usage: node console_ops.mjs CAIRN_BINARY
import { requireBrowser, requireCairn, deadline, check } from './lib/env.mjs';
import { startPair } from './lib/pair.mjs';
import { launch, newPage, login, tid, screenshot } from './lib/browser.mjs';

deadline(230000, 'console_ops');
const pw = await requireBrowser();
const bin = requireCairn(process.argv[2]);

const pair = await startPair({ bin, speed: 5, hotlineA: 'link_check_deadline_s = 4' });
const { a: W, b: M } = pair;
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
  const pa = await newPage(browsers[0], W.url);
  pages.warsaw = pa;
  await login(pa, W.user, W.password);
  await pa.waitForSelector(`${tid('app')}:visible`, { timeout: 60000 });
  const pb = await newPage(browsers[1], M.url, { lang: 'ru' });
  pages.moscow = pb;
  await login(pb, M.user, M.password);
  await pb.waitForSelector(`${tid('app')}:visible`, { timeout: 60000 });
  check(true, 'both consoles logged in');

  // ------------------------------------------------------------ the alarm
  await openTab(pa, 'alerts');
  const nox = `${tid('alerts-row')}[data-rule="NO_TRANSPONDER"]`;
  await pa.waitForSelector(nox, { timeout: 60000 });
  const alertId = await pa.getAttribute(nox, 'data-id');
  check(true, `the no-transponder aircraft raised alert ${alertId} (${await pa.getAttribute(nox, 'data-severity')})`);
  const text = await pa.textContent(`${nox} ${tid('alerts-text')}`);
  check(/No transponder/.test(text), `its explanation: "${text.trim()}"`);
  check(/Hypothesis|Гипотеза/.test(await pa.textContent(`${nox} ${tid('alerts-hypothesis')}`)), 'the hypothesis line is shown');
  const audio = tid('alerts-alarm');
  await pa.waitForFunction((sel) => { const e = document.querySelector(sel); return e && !e.paused && e.dataset.state === 'playing'; },
    audio, { timeout: 10000 });
  // the tone loops (1.5 s): its time moves, and may wrap
  const t1 = await pa.$eval(audio, (e) => e.currentTime);
  await pa.waitForTimeout(400);
  const t2 = await pa.$eval(audio, (e) => e.currentTime);
  check(t2 !== t1 && !(await pa.$eval(audio, (e) => e.paused)),
    `the alarm sounds (audio playing, looped, currentTime ${t1.toFixed(2)} -> ${t2.toFixed(2)} s)`);
  check(await pa.$eval(audio, (e) => e.src.startsWith('blob:')), 'the alarm tone is generated in the page (no download)');
  await screenshot(pa, 'ops-warsaw-alarm');
  await pa.click(tid('alerts-alarm-silence'));
  await pa.waitForFunction((sel) => document.querySelector(sel).paused, audio, { timeout: 5000 });
  check(await pa.$eval(audio, (e) => e.dataset.state) === 'silenced', 'silence: the audio is paused');
  await pa.click(tid('alerts-alarm-mute'));
  check(await pa.$eval(audio, (e) => e.dataset.state) === 'muted', 'sound off: state muted');
  check(await pa.isVisible(tid('status-alarm')), 'sound off is shown in the status bar');
  await pa.click(tid('alerts-alarm-mute'));
  check(await pa.$eval(audio, (e) => e.dataset.state) !== 'muted', 'sound back on');

  // ---------------------------------------------- draft from the alert, send
  await pa.click(`${nox} ${tid('alerts-draft')}`);
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
  await pa.fill(tid('hotline-field-description'), 'Primary-only aircraft east of Malmö, no transponder, no flight plan.');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Sent")`, { timeout: 10000 });
  const sentText = await pa.textContent(tid('hotline-compose-result'));
  const seq = Number(/no\. (\d+)/.exec(sentText)[1]);
  check(seq >= 1, `sent: ${sentText.trim()}`);

  // ------------------------------------------- outbox: sent then delivered
  await hotlineView(pa, 'outbox');
  const outRow = `${tid('hotline-msg-row')}[data-id="MOSCOW-CC:${seq}"]`;
  await pa.waitForSelector(`${outRow}[data-delivery="delivered"]`, { timeout: 15000 });
  check(true, 'the sender sees it delivered (the peer\'s receipt)');

  // ------------------------------------ the other centre: inbox, EN and RU
  await hotlineView(pb, 'inbox');
  const inRow = `${tid('hotline-msg-row')}[data-id="WARSAW-CC:${seq}"]`;
  await pb.waitForSelector(inRow, { timeout: 15000 });
  const en = await pb.textContent(`${inRow} ${tid('hotline-msg-text-en')}`);
  const ru = await pb.textContent(`${inRow} ${tid('hotline-msg-text-ru')}`);
  check(/Report of a hazardous incident: NO_TRANSPONDER/.test(en), 'MOSCOW-CC reads it in English');
  check(/Донесение об опасном инциденте: полёт без ответчика/.test(ru), 'MOSCOW-CC reads it in Russian, side by side');
  check(/Primary-only aircraft/.test(en) && /Primary-only aircraft/.test(ru), 'the free text is in both');
  // the interface in Russian
  if (!/Входящие/.test(await pb.textContent(tid('hotline-tab-inbox')))) await pb.click(tid('lang-switch'));
  check(/Входящие/.test(await pb.textContent(tid('hotline-tab-inbox'))), 'the interface in Russian ("Входящие")');
  check(/Подтвердить прочтение/.test(await pb.textContent(`${inRow} ${tid('hotline-ack')}`)), 'the acknowledge button in Russian');
  await screenshot(pb, 'ops-moscow-inbox-ru');
  await pb.click(`${inRow} ${tid('hotline-ack')}`);
  await pb.waitForSelector(`${inRow}[data-acked="yes"]`, { timeout: 10000 });
  check(true, 'an operator of MOSCOW-CC acknowledged it');
  await pb.click(tid('lang-switch'));
  check(/Inbox/.test(await pb.textContent(tid('hotline-tab-inbox'))), 'and back to English');

  // ----------------------------------------------- the sender sees it read
  await pa.waitForSelector(`${outRow}[data-delivery="read"]`, { timeout: 15000 });
  check(/read by duty/.test(await pa.textContent(outRow)), 'the sender sees it read by the operator ("read by duty")');
  await screenshot(pa, 'ops-warsaw-outbox-read');

  // ------------------------------------------------ a 48-hour countdown
  await hotlineView(pa, 'compose');
  await pa.selectOption(tid('hotline-compose-type'), 'EXPLANATION_REQUEST');
  await pa.fill(tid('hotline-field-activity'), 'Snap exercise of air defence units near the border');
  await pa.fill(tid('hotline-field-area'), '54.5,19.5;54.9,20.5;54.3,21.0');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Sent")`, { timeout: 10000 });
  const exCase = /case (\S+)\)/.exec(await pa.textContent(tid('hotline-compose-result')))[1];
  await hotlineView(pa, 'cases');
  const caseRow = `${tid('hotline-case-row')}[data-id="${exCase}"]`;
  await pa.waitForSelector(caseRow, { timeout: 10000 });
  await pa.waitForFunction((sel) => /in 4[78]:\d\d:\d\d/.test(document.querySelector(sel).textContent), `${caseRow} ${tid('hotline-case-countdown')}`, { timeout: 5000 });
  const cd = await pa.textContent(`${caseRow} ${tid('hotline-case-countdown')}`);
  const left = Number(await pa.getAttribute(`${caseRow} ${tid('hotline-case-countdown')}`, 'data-remaining-s'));
  check(left > 47.9 * 3600 && left <= 48 * 3600, `EXPLANATION_REQUEST ${exCase}: countdown "${cd}" (${left} s left)`);
  await hotlineView(pb, 'cases');
  const caseRowB = `${tid('hotline-case-row')}[data-id="${exCase}"]`;
  await pb.waitForSelector(caseRowB, { timeout: 15000 });
  const cdb = await pb.textContent(`${caseRowB} ${tid('hotline-case-countdown')}`);
  check(/4[78]:\d\d:\d\d/.test(cdb), `the receiver counts down too ("${cdb}"), with a reply button`);
  check(await pb.isVisible(`${caseRowB} ${tid('hotline-case-reply')}`), 'the receiver may reply from the case');

  // ------------------------------------------------- a case made overdue
  await hotlineView(pa, 'compose');
  await pa.selectOption(tid('hotline-compose-type'), 'LINK_CHECK');
  await pa.fill(tid('hotline-field-nonce'), 'e2e-1');
  await pa.click(tid('hotline-send'));
  await pa.waitForSelector(`${tid('hotline-compose-result')}:has-text("Sent")`, { timeout: 10000 });
  const lcCase = /case (\S+)\)/.exec(await pa.textContent(tid('hotline-compose-result')))[1];
  await hotlineView(pa, 'cases');
  const lcRow = `${tid('hotline-case-row')}[data-id="${lcCase}"]`;
  await pa.waitForSelector(`${lcRow}[data-state="open"]`, { timeout: 10000 });
  check(true, `LINK_CHECK ${lcCase} open, 4 s to answer`);
  const tOver = Date.now();
  await pa.waitForSelector(`${lcRow}[data-state="overdue"]`, { timeout: 20000 });
  check(true, `it turned overdue (${((Date.now() - tOver) / 1000).toFixed(1)} s after it was listed open)`);
  check(await pa.isVisible(tid('hotline-overdue-banner')), 'the overdue banner is shown over the hotline pane');
  const border = await pa.$eval(lcRow, (e) => getComputedStyle(e).borderTopColor);
  check(border === 'rgb(255, 59, 59)', `the overdue case is drawn in red (${border})`);
  const first = await pa.$eval(tid('hotline-case-list'), (e) => e.querySelector('[data-testid="hotline-case-row"]').dataset.id);
  check(first === lcCase, 'overdue cases come first');
  check(/OVERDUE by/.test(await pa.textContent(`${lcRow} ${tid('hotline-case-countdown')}`)), 'its countdown says OVERDUE by ...');
  check((await pa.getAttribute(tid('tab-hotline-badge'), 'class')).includes('alarm'), 'the hotline tab\'s badge is red');
  check(await pa.isVisible(tid('status-overdue')), 'the status bar says so too, whatever pane is open');
  await screenshot(pa, 'ops-warsaw-overdue');

  // ------------------------------------------------------ sensors, reciprocity
  await openTab(pa, 'sensors');
  await pa.waitForSelector(`${tid('sensors-row')}[data-id="radar"]`, { timeout: 10000 });
  const srow = await pa.textContent(`${tid('sensors-row')}[data-id="radar"]`);
  check(/replay/.test(srow), `sensor health one click away (radar: ${srow.replace(/\s+/g, ' ').trim()})`);
  await openTab(pa, 'compliance');
  await pa.waitForSelector(`${tid('compl-none')}, ${tid('compl-pair')}`, { timeout: 10000 });
  check(true, (await pa.isVisible(tid('compl-none'))) ? 'reciprocity: "no summary yet" until one is exchanged'
    : 'reciprocity: summaries shown side by side');

  // ----------------------------------------------------------- link down
  await pa.waitForSelector(`${tid('peer-MOSCOW-CC')}[data-state="up"]`, { timeout: 10000 });
  await screenshot(pb, 'ops-moscow');
  const tStop = Date.now();
  await M.stop();
  await pa.waitForSelector(`${tid('peer-MOSCOW-CC')}[data-state="down"]`, { timeout: 15000 });
  const dt = (Date.now() - tStop) / 1000;
  check(dt < 10, `WARSAW-CC's status bar shows the link to MOSCOW-CC down ${dt.toFixed(1)} s after MOSCOW-CC stopped`);
  await screenshot(pa, 'ops-warsaw-link-down');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.stack || e}`);
  for (const [n, p] of Object.entries(pages)) await screenshot(p, `ops-FAILED-${n}`).catch(() => {});
  for (const c of [W, M]) console.error(`--- ${c.name} log (tail):\n${c.log().split('\n').slice(-25).join('\n')}`);
} finally {
  for (const b of browsers) await b.close();
  await pair.stop();
}
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
