// Start centres for the e2e tests: a temporary folder with `cairn sim`'s
// malmo-2014 recordings, an account made by `cairn passwd`, a centre.ini
// serving ui/dist, `cairn run` on 127.0.0.1 with a kernel-picked port
// (read back from its port_file). stop() sends SIGTERM and waits.
//
//   const c = await startCentre({ bin, name: 'warsaw-cc', speed: 5 });
//   c.url, c.user, c.password, c.dir, c.log(), await c.stop()
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, chmodSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, DIST } from './env.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The simulated scenario's recordings, made once per folder. */
export function simulate(bin, dir, scenario = 'malmo-2014') {
  const out = join(dir, 'sim');
  if (!existsSync(join(out, 'adsb.sbs')))
    execFileSync(bin, ['sim', scenario, '--out', out, '--quiet', '--seed', '1'], { stdio: 'inherit' });
  return out;
}

export function account(bin, file, user, password) {
  const line = execFileSync(bin, ['passwd', user], { input: `${password}\n` }).toString();
  writeFileSync(file, line, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export async function startCentre(opts) {
  const bin = opts.bin;
  const name = opts.name || 'warsaw-cc';
  const dir = opts.dir || mkdtempSync(join(tmpdir(), `cairn-e2e-${name}-`));
  mkdirSync(dir, { recursive: true });
  const user = opts.user || 'duty';
  const password = opts.password || 'correct-horse-battery';
  simulate(bin, dir);
  account(bin, join(dir, 'accounts'), user, password);
  const speed = opts.speed ?? 5;
  const ini = [
    '[centre]', `name = ${name}`, '',
    '[web]', 'listen = 127.0.0.1:0', 'accounts = accounts', `static_dir = ${opts.static || DIST}`,
    'port_file = port', '',
    '[picture]', 'cycle_ms = 1000', `sensors = ${join(ROOT, 'scenarios/malmo-2014.sensors.ini')}`, '',
    '[replay radar]', 'input = pcap:sim/radar.pcap', `speed = ${speed}`, '',
    '[replay adsb]', 'input = sbs:sim/adsb.sbs', 'sensor = malmo-rx', `speed = ${speed}`, '',
    opts.extraIni || '',
  ].join('\n');
  writeFileSync(join(dir, 'centre.ini'), ini);
  rmSync(join(dir, 'port'), { force: true });
  let log = '';
  const child = spawn(bin, ['run', '-c', join(dir, 'centre.ini')], {
    cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CAIRN_LOG: process.env.CAIRN_LOG || 'info' },
  });
  child.stderr.on('data', (b) => { log += b.toString(); });
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const t0 = Date.now();
  let port = 0;
  while (!port) {
    if (exited) throw new Error(`cairn run exited (${JSON.stringify(exited)}):\n${log}`);
    if (Date.now() - t0 > 20000) { child.kill('SIGKILL'); throw new Error(`no port file after 20 s:\n${log}`); }
    try { port = parseInt(readFileSync(join(dir, 'port'), 'utf8'), 10) || 0; } catch { /* not yet */ }
    if (!port) await sleep(50);
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    name, dir, url, port, user, password, child,
    log: () => log,
    async stop() {
      if (exited) return exited;
      child.kill('SIGTERM');
      const t1 = Date.now();
      while (!exited && Date.now() - t1 < 10000) await sleep(50);
      if (!exited) child.kill('SIGKILL');
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
}

/** A token for API calls from the test itself (not the browser). */
export async function apiLogin(c) {
  const r = await fetch(`${c.url}/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: c.user, password: c.password }),
  });
  if (!r.ok) throw new Error(`login ${r.status}`);
  return (await r.json()).token;
}
