// Load on loopback: LOAD_CLIENTS concurrent openai clients each send
// LOAD_REQUESTS chat requests with an image (fixture images of every format,
// some re-sent, half of them streamed). Everything must succeed except
// deliberate 429s from the bounded queue (retried after Retry-After); the
// server must not crash; its peak RSS is reported. CI runs a short version;
// the full one is LOAD_CLIENTS=32 LOAD_REQUESTS=8.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { dataUrl, fixtures, requireNodeModules, startServer } from './server.mjs';

requireNodeModules();
const { default: OpenAI } = await import('openai');

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 8);
const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 2);
const images = readdirSync(join(fixtures, 'images')).filter((f) => /\.(png|jpg|gif|webp|bmp)$/.test(f)).sort();

let server;
before(async () => { server = await startServer(['--max-batch', '16', '--max-queue', '20']); });
after(async () => { assert.equal(await server.stop(), 0, server.stderr()); });

// A deterministic pseudo-random stream per client, so a failure can be replayed.
function random(seed) {
  let x = seed * 2654435761 % 4294967296 || 1;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

async function oneRequest(client, rnd, stats) {
  const image = images[Math.floor(rnd() * images.length)];
  const stream = rnd() < 0.5;
  const params = {
    model: 'm', max_tokens: 8 + Math.floor(rnd() * 24), temperature: rnd() < 0.5 ? 0 : 0.8, seed: 1,
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(image) } },
                                         { type: 'text', text: `What is in ${image}?` }] }],
  };
  for (let attempt = 0; ; attempt++) {
    try {
      if (!stream) {
        const r = await client.chat.completions.create(params);
        assert.equal(typeof r.choices[0].message.content, 'string');
        assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
        assert.ok(r.usage.prompt_tokens > 1 && r.usage.completion_tokens >= 1);
      } else {
        let finish = null;
        for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        assert.ok(['stop', 'length'].includes(finish), `stream ended with ${finish}`);
      }
      stats.ok++;
      return;
    } catch (e) {
      if (e.status !== 429 || attempt >= 50) throw new Error(`${image} (${stream ? 'stream' : 'plain'}): ${e.message}`);
      stats.rejected429++;
      assert.ok(Number(e.headers?.get?.('retry-after')) >= 1, '429 carries Retry-After');
      await new Promise((r) => setTimeout(r, 200 + rnd() * 800));
    }
  }
}

test(`${CLIENTS} clients x ${REQUESTS} requests with images`, { timeout: 900000 }, async () => {
  const stats = { ok: 0, rejected429: 0, failures: [] };
  const started = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 600000 });
    const rnd = random(c + 1);
    for (let i = 0; i < REQUESTS; i++) {
      try {
        await oneRequest(client, rnd, stats);
      } catch (e) {
        stats.failures.push(e.message);
      }
    }
  }));
  const seconds = (Date.now() - started) / 1000;
  const peakMiB = server.peakRssKb() / 1024;
  const hits = await server.metric('smolvlm_image_cache_hits_total');
  console.log(`load: ${stats.ok} ok, ${stats.rejected429} deliberate 429s (retried), ${stats.failures.length} failures ` +
              `in ${seconds.toFixed(1)} s; peak RSS ${peakMiB.toFixed(0)} MiB; image cache hits ${hits}`);
  assert.deepEqual(stats.failures, []);
  assert.equal(stats.ok, CLIENTS * REQUESTS);
  assert.ok(!server.exited(), 'the server is still running');
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
  assert.equal(await server.metric('smolvlm_running_sequences'), 0);
  assert.equal(await server.metric('smolvlm_kv_cache_bytes'), 0);
});
