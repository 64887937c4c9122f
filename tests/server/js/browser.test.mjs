// The chat page in headless Chromium (Debian's, driven by playwright-core):
// load it, attach a fixture image with the picker, send, watch the answer
// stream in, stop a long answer, attach by drag-and-drop and paste, and save
// a screenshot into the build folder.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { SKIP, artifacts, imagePath, requireNodeModules, startServer } from './server.mjs';

requireNodeModules();
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(SKIP);
}
const { chromium } = await import('playwright-core');

let server;
let browser;
let page;

before(async () => {
  server = await startServer(['--max-tokens', '8000']);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage',
           '--disable-extensions', '--no-first-run', '--disable-sync', '--metrics-recording-only', '--mute-audio'],
  });
  page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(server.url, { waitUntil: 'load' });
});
after(async () => {
  await browser?.close();
  assert.equal(await server.stop(), 0, server.stderr());
});

// Counts how often the last answer's text changed while it streamed.
async function watchLastAnswer() {
  await page.evaluate(() => {
    window.__updates = 0;
    new MutationObserver((records) => {
      for (const r of records)
        if (r.target.parentElement?.closest?.('.message.assistant') || r.target.closest?.('.message.assistant')) window.__updates++;
    }).observe(document.getElementById('messages'), { childList: true, subtree: true, characterData: true });
  });
}

async function setSetting(id, value) {
  if (await page.isHidden('#settings')) await page.click('#toggle-settings');
  await page.fill(`#${id}`, String(value));
  await page.dispatchEvent(`#${id}`, 'change');
}

test('the page loads from the binary and names the model', async () => {
  assert.equal(await page.title(), 'smolvlm chat');
  await page.waitForFunction(() => document.getElementById('model-name').textContent === 'tiny-smolvlm-256m');
});

test('attach an image, send, and see the answer stream in', async () => {
  await setSetting('max-tokens', 48);
  await page.setInputFiles('#file', imagePath('photo_320x240.jpg'));
  await page.waitForSelector('#attachments .attachment img');
  await page.fill('#prompt', 'What is in this picture?');
  await watchLastAnswer();
  await page.click('#send');
  await page.waitForSelector('.message.user .images img');
  const answer = await page.waitForSelector('.message.assistant[data-done="true"]', { timeout: 60000 });
  const text = await answer.$eval('.content', (el) => el.textContent);
  assert.ok(text.length > 0, 'an answer appeared');
  assert.ok(!(await answer.evaluate((el) => el.classList.contains('error'))), text);
  assert.ok(await page.evaluate(() => window.__updates) > 2, 'the answer arrived in several pieces');
  assert.match(await answer.$eval('.meta', (el) => el.textContent), /48 tokens/);
  assert.ok(await answer.$('button.copy'), 'a copy button');
  assert.equal(await page.locator('#attachments .attachment').count(), 0, 'attachments were sent');
  await page.click('#toggle-settings');  // fold the settings away for the picture
  await page.screenshot({ path: join(artifacts, 'server-chat.png'), fullPage: true });
});

test('a second turn keeps the conversation', async () => {
  await page.fill('#prompt', 'And what colour is it?');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.message.assistant[data-done="true"]').length === 2, null, { timeout: 60000 });
  assert.equal(await page.locator('.message.user').count(), 2);
});

test('the stop button ends a long answer', async () => {
  await page.click('#new-chat');
  await setSetting('max-tokens', 8000);
  // Click Stop from inside the page as soon as the first text arrives: the
  // fixture model is fast enough to finish 8000 tokens in a few seconds.
  await page.evaluate(() => {
    const observer = new MutationObserver(() => {
      const content = document.querySelector('.message.assistant:last-of-type .content');
      if (content && content.textContent.length > 0) {
        observer.disconnect();
        document.getElementById('stop').click();
      }
    });
    observer.observe(document.getElementById('messages'), { childList: true, subtree: true, characterData: true });
  });
  await page.fill('#prompt', 'Write forever.');
  await page.click('#send');
  await page.waitForFunction(() => document.querySelector('.message.assistant:last-of-type')?.dataset.done === 'true');
  const last = page.locator('.message.assistant').last();
  assert.match(await last.locator('.meta').textContent(), /stopped/);
  const deadline = Date.now() + 5000;
  while (await server.metric('smolvlm_running_sequences') !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await server.metric('smolvlm_running_sequences'), 0, 'the server dropped the sequence');
  assert.equal(await server.metric('smolvlm_cancelled_sequences_total'), 1);
  await setSetting('max-tokens', 16);
});

test('images can be dropped and pasted', async () => {
  const base64 = readFileSync(imagePath('small_64x48.png')).toString('base64');
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const file = () => new File([bytes], 'small.png', { type: 'image/png' });
    const drop = new DataTransfer();
    drop.items.add(file());
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }));
    const paste = new DataTransfer();
    paste.items.add(file());
    document.getElementById('prompt').dispatchEvent(new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true }));
  }, base64);
  await page.waitForFunction(() => document.querySelectorAll('#attachments .attachment').length === 2);
  await page.click('#attachments .attachment button');  // remove one
  assert.equal(await page.locator('#attachments .attachment').count(), 1);
  const answers = await page.locator('.message.assistant').count();
  await page.fill('#prompt', 'Describe it.');
  await page.click('#send');
  await page.waitForFunction((n) => document.querySelectorAll('.message.assistant[data-done="true"]').length === n + 1,
                             answers, { timeout: 60000 });
  assert.equal(await page.locator('.message.assistant.error').count(), 0);
});
