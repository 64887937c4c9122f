// Starts `smolvlm serve` on a free loopback port for a test file and stops it
// afterwards. Paths come from the environment ctest sets (tests/CMakeLists.txt).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Exit code ctest reports as "skipped" (SKIP_RETURN_CODE).
export const SKIP = 77;

// Skips the whole file (exit 77) when `npm ci --prefix tests/server/js` has not run.
export function requireNodeModules() {
  if (!existsSync(join(here, 'node_modules'))) {
    console.log(`skipped: no ${join(here, 'node_modules')}; run npm ci --prefix tests/server/js`);
    process.exit(SKIP);
  }
}

export const cli = process.env.SMOLVLM_CLI ?? join(here, '../../../build/smolvlm');
export const fixtures = process.env.SMOLVLM_FIXTURES ?? process.env.SMOLVLM_DEFAULT_FIXTURES ?? join(here, '../../../../shared/fixtures');
export const artifacts = process.env.SMOLVLM_ARTIFACTS ?? here;  // screenshots go to the build folder
export const fixtureModel = join(fixtures, 'models/tiny-smolvlm-256m');

const MIME = { '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.bmp': 'image/bmp' };

export function imagePath(name) { return join(fixtures, 'images', name); }

export function dataUrl(name) {
  const mime = MIME[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
  return `data:${mime};base64,${readFileSync(imagePath(name)).toString('base64')}`;
}

// Resolves with {url, pid, stop(), peakRssKb(), metric(name)} once /health answers.
export async function startServer(extraArgs = [], { timeoutMs = 60000 } = {}) {
  const proc = spawn(cli, ['serve', '--model', fixtureModel, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${stderr}`)); });
  });
  const health = await fetch(`${url}/health`);
  if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
  return {
    url,
    pid: proc.pid,
    exited: () => proc.exitCode !== null || proc.signalCode !== null,
    stderr: () => stderr,
    // VmHWM: the peak resident set of the server process so far.
    peakRssKb: () => Number(readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1]),
    async metric(name, headers = {}) {
      const text = await (await fetch(`${url}/metrics`, { headers })).text();
      const m = text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm'));
      return m ? Number(m[1]) : NaN;
    },
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10000);
      proc.on('exit', (code) => { clearTimeout(kill); resolve(code); });
      proc.kill('SIGTERM');
    }),
  };
}
