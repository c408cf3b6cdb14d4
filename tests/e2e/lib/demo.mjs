// Two centres and their consoles from `cairn demo` (docs/demo.md): WARSAW-CC
// and KALININGRAD-CC with the hotline between them, simulated traffic
// (--no-data), serving ui/dist. Ready when the ports file appears.
//   const d = await startDemo({ bin, speed: 10 });
//   d.centres[0] (WARSAW-CC), d.centres[1]: {name, url, user, password, pid, ...}
//   await d.stop()
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST } from './env.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startDemo({ bin, speed = 10, args = [], readyMs = 90000 }) {
  const base = mkdtempSync(join(tmpdir(), 'cairn-e2e-demo-'));
  const dir = join(base, 'demo');
  const ports = join(base, 'ports.json');
  let log = '';
  const child = spawn(bin, ['demo', '--dir', dir, '--port', '0', '--ports-file', ports, '--no-data',
    '--speed', String(speed), '--ui', DIST, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (b) => { log += b.toString(); });
  child.stderr.on('data', (b) => { log += b.toString(); });
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const t0 = Date.now();
  let info = null;
  while (!info) {
    if (exited) throw new Error(`cairn demo exited (${JSON.stringify(exited)}):\n${log}`);
    if (Date.now() - t0 > readyMs) { child.kill('SIGKILL'); throw new Error(`cairn demo not ready after ${readyMs} ms:\n${log}`); }
    if (existsSync(ports)) {
      try { info = JSON.parse(readFileSync(ports, 'utf8')); } catch { /* being written */ }
    }
    if (!info) await sleep(100);
  }
  return {
    ...info, log: () => log,
    async stop() {
      for (const c of info.centres) { try { process.kill(c.pid, 'SIGCONT'); } catch { /* gone */ } }
      if (!exited) child.kill('SIGTERM');
      const t1 = Date.now();
      while (!exited && Date.now() - t1 < 15000) await sleep(50);
      if (!exited) child.kill('SIGKILL');
      rmSync(base, { recursive: true, force: true });
      return exited;
    },
  };
}
