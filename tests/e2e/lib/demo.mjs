// `cairn demo` as an e2e fixture: two centres (WARSAW-CC, KALININGRAD-CC)
// joined by the hotline, their consoles served from ui/dist, on loopback
// ports the kernel picks (docs/demo.md). Ready when its ports file exists.
//
//   const demo = await startDemo({ bin, speed: 10, deadlineS: 20 });
//   demo.centres[0].url / .user / .password / .pid / .name
//   demo.log()   the demo's own output;  demo.centreLog(i)  a centre's log
//   await demo.stop()   SIGTERM, wait (10 s, then SIGKILL), folder removed
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST } from './env.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startDemo(opts) {
  const base = mkdtempSync(join(tmpdir(), 'cairn-e2e-demo-'));
  const dir = join(base, 'demo');
  const portsFile = join(base, 'ports.json');
  const args = ['demo', '--dir', dir, '--port', '0', '--ports-file', portsFile, '--speed', String(opts.speed ?? 10),
    '--ui', opts.ui || DIST, '--hours', String(opts.hours ?? 1), '--keep'];
  if (opts.deadlineS) args.push('--deadline-s', String(opts.deadlineS));
  if (opts.noData !== false) args.push('--no-data');
  let log = '';
  const child = spawn(opts.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (b) => { log += b.toString(); });
  child.stderr.on('data', (b) => { log += b.toString(); });
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const t0 = Date.now();
  let info = null;
  while (!info) {
    if (exited) throw new Error(`cairn demo exited (${JSON.stringify(exited)}):\n${log}`);
    if (Date.now() - t0 > (opts.startMs ?? 90000)) {
      child.kill('SIGKILL');
      throw new Error(`cairn demo not ready after ${opts.startMs ?? 90000} ms:\n${log}`);
    }
    try { info = JSON.parse(readFileSync(portsFile, 'utf8')); } catch { await sleep(100); }
  }
  return {
    dir, info, centres: info.centres, child,
    log: () => log,
    centreLog(i) {
      try { return readFileSync(info.centres[i].log, 'utf8'); } catch { return ''; }
    },
    async stop() {
      for (const c of info.centres) { try { process.kill(c.pid, 'SIGCONT'); } catch { /* gone */ } }
      if (!exited) {
        child.kill('SIGTERM');
        const t1 = Date.now();
        while (!exited && Date.now() - t1 < 15000) await sleep(50);
        if (!exited) child.kill('SIGKILL');
      }
      if (!opts.keep) rmSync(base, { recursive: true, force: true });
      return exited;
    },
  };
}
