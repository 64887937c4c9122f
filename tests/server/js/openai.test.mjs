// The official openai npm client against `smolvlm serve`, unchanged: plain and
// streamed completions, images as data URLs, multi-turn image reuse, errors,
// API keys and cancelling a stream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { dataUrl, requireNodeModules, startServer } from './server.mjs';

requireNodeModules();
const { default: OpenAI } = await import('openai');

let server;
let client;

before(async () => {
  server = await startServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60000 });
});
after(async () => { assert.equal(await server.stop(), 0, server.stderr()); });

const question = [{ role: 'user', content: 'What is the capital of France?' }];

test('lists the served model', async () => {
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ['tiny-smolvlm-256m']);
  assert.equal((await client.models.retrieve('tiny-smolvlm-256m')).object, 'model');
});

test('non-streaming completion', async () => {
  const r = await client.chat.completions.create({ model: 'tiny-smolvlm-256m', messages: question, max_tokens: 10, temperature: 0 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 10);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 10);
});

test('streaming completion says what the plain one says', async () => {
  const plain = await client.chat.completions.create({ model: 'm', messages: question, max_tokens: 12, temperature: 0 });
  const stream = await client.chat.completions.create({
    model: 'm', messages: question, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? '';
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  assert.ok(chunks >= 3);
  assert.equal(text, plain.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.deepEqual(usage, plain.usage);
});

test('images as data URLs, re-sent across turns, hit the feature cache', async () => {
  const image = { type: 'image_url', image_url: { url: dataUrl('photo_320x240.jpg') } };
  const hits = await server.metric('smolvlm_image_cache_hits_total');
  const first = await client.chat.completions.create({
    model: 'm', max_tokens: 6, temperature: 0,
    messages: [{ role: 'user', content: [image, { type: 'text', text: 'What is in this image?' }] }],
  });
  assert.ok(first.usage.prompt_tokens > 100, 'the image tokens count as prompt tokens');
  const second = await client.chat.completions.create({
    model: 'm', max_tokens: 6, temperature: 0,
    messages: [
      { role: 'user', content: [image, { type: 'text', text: 'What is in this image?' }] },
      { role: 'assistant', content: first.choices[0].message.content },
      { role: 'user', content: 'Tell me more.' },
    ],
  });
  assert.ok(second.usage.prompt_tokens > first.usage.prompt_tokens);
  assert.ok(await server.metric('smolvlm_image_cache_hits_total') >= hits + 1);
});

test('errors arrive as typed APIErrors', async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }],
    }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.code === 'image_url_not_allowed');
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages: question, n: 3 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'n');
  await assert.rejects(
    client.chat.completions.create({ model: 'm', messages: question, max_tokens: 'ten' }),
    (e) => e.status === 400 && e.code === 'invalid_type');
  await assert.rejects(
    client.chat.completions.create({
      model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,bm90IGFuIGltYWdl' } }] }],
    }),
    (e) => e.status === 400 && e.code === 'invalid_image');
  await assert.rejects(client.models.retrieve('gpt-4o'), (e) => e instanceof OpenAI.NotFoundError);
});

test('aborting a stream cancels its sequence on the server', async () => {
  const cancelled = await server.metric('smolvlm_cancelled_sequences_total');
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: 'm', messages: question, max_tokens: 4000, stream: true }, { signal: controller.signal });
  let chunks = 0;
  try {
    for await (const _ of stream) {
      if (++chunks === 3) {
        controller.abort();  // what a "stop" button does
        break;
      }
    }
  } catch (e) {
    assert.ok(e instanceof OpenAI.APIUserAbortError || e.name === 'AbortError', String(e));
  }
  assert.equal(chunks, 3);
  const deadline = Date.now() + 5000;
  while (await server.metric('smolvlm_cancelled_sequences_total') < cancelled + 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(await server.metric('smolvlm_cancelled_sequences_total'), cancelled + 1);
  assert.equal(await server.metric('smolvlm_running_sequences'), 0);
});

test('an API key is required when the server has one', async () => {
  const guarded = await startServer(['--api-key', 'test-key-123']);
  try {
    const wrong = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await assert.rejects(wrong.chat.completions.create({ model: 'm', messages: question, max_tokens: 2 }),
      (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
    const right = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: 'test-key-123', maxRetries: 0 });
    const r = await right.chat.completions.create({ model: 'm', messages: question, max_tokens: 2 });
    assert.equal(r.usage.completion_tokens, 2);
  } finally {
    await guarded.stop();
  }
});
