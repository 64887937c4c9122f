// The smolvlm chat page: keeps the conversation in the browser and sends all
// of it on every turn, in the OpenAI chat format, streaming the answer over
// SSE. Images travel inline as data URLs (the server re-uses their features
// across turns). Plain DOM code with no dependencies, so it works offline.
'use strict';

const $ = (id) => document.getElementById(id);
const SETTINGS = ['system', 'temperature', 'top-p', 'max-tokens', 'seed', 'api-key'];

const state = {
  history: [],      // OpenAI messages of the conversation so far
  pending: [],      // images attached to the next message: {url, name}
  controller: null, // aborts the answer being streamed
  model: '',
};

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function requestHeaders() {
  const headers = { 'Content-Type': 'application/json' };
  const key = $('api-key').value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  return headers;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (_) { /* not JSON */ }
  return `HTTP ${response.status}`;
}

async function loadModel() {
  try {
    const response = await fetch('/v1/models', { headers: requestHeaders() });
    if (!response.ok) {
      setStatus(response.status === 401 ? 'This server needs an API key (Settings).' : await errorMessage(response), true);
      return;
    }
    const list = await response.json();
    state.model = list.data && list.data.length ? list.data[0].id : '';
    $('model-name').textContent = state.model;
    setStatus('');
  } catch (e) {
    setStatus(`Cannot reach the server: ${e.message}`, true);
  }
}

// --- attachments -------------------------------------------------------------

function attachFiles(files) {
  for (const file of files) {
    if (!file.type.startsWith('image/')) {
      setStatus(`${file.name || 'The pasted item'} is not an image.`, true);
      continue;
    }
    const reader = new FileReader();
    reader.onload = () => {
      state.pending.push({ url: reader.result, name: file.name || 'pasted image' });
      renderAttachments();
    };
    reader.onerror = () => setStatus(`Cannot read ${file.name}.`, true);
    reader.readAsDataURL(file);
  }
}

function renderAttachments() {
  const box = $('attachments');
  box.replaceChildren();
  state.pending.forEach((image, index) => {
    const item = document.createElement('div');
    item.className = 'attachment';
    const img = document.createElement('img');
    img.src = image.url;
    img.alt = image.name;
    img.title = image.name;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.title = 'Remove';
    remove.addEventListener('click', () => {
      state.pending.splice(index, 1);
      renderAttachments();
    });
    item.append(img, remove);
    box.append(item);
  });
}

// --- messages ----------------------------------------------------------------

function addMessage(role, text, imageUrls = []) {
  $('empty-hint').hidden = true;
  const el = document.createElement('article');
  el.className = `message ${role}`;
  if (imageUrls.length) {
    const images = document.createElement('div');
    images.className = 'images';
    for (const url of imageUrls) {
      const img = document.createElement('img');
      img.src = url;
      img.alt = 'attached image';
      images.append(img);
    }
    el.append(images);
  }
  const content = document.createElement('p');
  content.className = 'content';
  content.textContent = text;  // never HTML: model output is untrusted text
  el.append(content);
  $('messages').append(el);
  el.scrollIntoView({ block: 'end' });
  return { el, content };
}

function addMeta(message, text, answer) {
  const meta = document.createElement('div');
  meta.className = 'meta';
  const label = document.createElement('span');
  label.textContent = text;
  meta.append(label);
  if (answer) {
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'copy';
    copy.textContent = 'Copy';
    copy.addEventListener('click', () => copyText(answer, copy));
    meta.append(copy);
  }
  message.el.append(meta);
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {  // no clipboard API (e.g. plain http on another host): the old way
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = 'Copy'; }, 1200);
}

// --- sending -------------------------------------------------------------------

function requestBody() {
  const messages = [];
  const system = $('system').value.trim();
  if (system) messages.push({ role: 'system', content: system });
  messages.push(...state.history);
  const body = {
    model: state.model || 'smolvlm',
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: Number($('temperature').value || 0),
    top_p: Number($('top-p').value || 1),
    max_tokens: Number($('max-tokens').value || 256),
  };
  if ($('seed').value !== '') body.seed = Number($('seed').value);
  return body;
}

// Reads an SSE body, calling onChunk with every parsed "data:" JSON object.
async function readEvents(response, onChunk) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data !== '[DONE]') onChunk(JSON.parse(data));
      }
    }
  }
}

function setBusy(busy) {
  $('send').hidden = busy;
  $('stop').hidden = !busy;
  $('prompt').disabled = busy;
}

async function send() {
  const text = $('prompt').value.trim();
  if (state.controller || (!text && state.pending.length === 0)) return;
  const images = state.pending.map((image) => image.url);
  const content = images.map((url) => ({ type: 'image_url', image_url: { url } }));
  if (text) content.push({ type: 'text', text });
  state.history.push({ role: 'user', content: images.length ? content : text });
  addMessage('user', text, images);
  $('prompt').value = '';
  state.pending = [];
  renderAttachments();

  const answerBox = addMessage('assistant', '');
  let answer = '';
  let usage = null;
  let finish = null;
  state.controller = new AbortController();
  setBusy(true);
  setStatus('Generating…');
  try {
    const response = await fetch('/v1/chat/completions', {
      method: 'POST', headers: requestHeaders(), body: JSON.stringify(requestBody()), signal: state.controller.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    await readEvents(response, (chunk) => {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices && chunk.choices[0];
      if (!choice) return;
      if (choice.delta && choice.delta.content) {
        answer += choice.delta.content;
        answerBox.content.textContent = answer;
        answerBox.el.scrollIntoView({ block: 'end' });
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    });
    state.history.push({ role: 'assistant', content: answer });
    const tokens = usage ? `${usage.completion_tokens} tokens` : '';
    addMeta(answerBox, [tokens, finish === 'length' ? 'cut at max tokens' : ''].filter(Boolean).join(' · '), answer);
    setStatus('');
  } catch (e) {
    if (e.name === 'AbortError') {
      // Stopped: what arrived stays part of the conversation.
      state.history.push({ role: 'assistant', content: answer });
      addMeta(answerBox, 'stopped', answer);
      setStatus('');
    } else {
      state.history.pop();  // the server did not take this turn; do not send it again
      answerBox.el.classList.add('error');
      answerBox.content.textContent = e.message;
      setStatus('The request failed.', true);
    }
  } finally {
    state.controller = null;
    answerBox.el.dataset.done = 'true';
    setBusy(false);
    $('prompt').focus();
  }
}

// --- wiring --------------------------------------------------------------------

function restoreSettings() {
  for (const id of SETTINGS) {
    const saved = localStorage.getItem(`smolvlm.${id}`);
    if (saved !== null) $(id).value = saved;
    $(id).addEventListener('change', () => localStorage.setItem(`smolvlm.${id}`, $(id).value));
  }
}

function wire() {
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  $('stop').addEventListener('click', () => state.controller && state.controller.abort());
  $('attach').addEventListener('click', () => $('file').click());
  $('file').addEventListener('change', () => { attachFiles($('file').files); $('file').value = ''; });
  $('new-chat').addEventListener('click', () => {
    if (state.controller) state.controller.abort();
    state.history = [];
    for (const m of document.querySelectorAll('.message')) m.remove();
    $('empty-hint').hidden = false;
  });
  $('toggle-settings').addEventListener('click', () => {
    const panel = $('settings');
    panel.hidden = !panel.hidden;
    $('toggle-settings').setAttribute('aria-expanded', String(!panel.hidden));
  });
  $('api-key').addEventListener('change', loadModel);
  document.addEventListener('paste', (e) => {
    const files = [...e.clipboardData.items].filter((i) => i.kind === 'file').map((i) => i.getAsFile());
    if (files.length) { e.preventDefault(); attachFiles(files); }
  });
  let dragDepth = 0;
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => { if (hasFiles(e)) { dragDepth++; $('drop-overlay').hidden = false; } });
  window.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; $('drop-overlay').hidden = true; } });
  window.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    dragDepth = 0;
    $('drop-overlay').hidden = true;
    if (e.dataTransfer) attachFiles(e.dataTransfer.files);
  });
}

restoreSettings();
wire();
loadModel();
