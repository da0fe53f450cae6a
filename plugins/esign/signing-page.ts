// The page a signer opens from their invitation (the same link, asked for as HTML): the document as it will be
// signed, a button that mails the one-time code, the code, and a typed name or a signature drawn on a canvas. The
// page holds no data of its own: its script reads the link's JSON and writes it with textContent, so nothing a
// requester typed is ever parsed as HTML. Strict CSP with a per-response nonce; no referrer (the token is in the URL).
import { randomBytes } from 'node:crypto';

export interface SigningPage {
  readonly html: string;
  readonly csp: string;
}

const SCRIPT = `
const base = location.pathname.replace(/\\/$/, '');
const $ = (id) => document.getElementById(id);
const say = (text) => { $('msg').textContent = text; };
async function call(method, path, body) {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body && JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.detail || res.statusText);
  return data.data;
}
async function load() {
  try {
    const r = await call('GET', '');
    $('title').textContent = r.title;
    $('who').textContent = r.you.name + ' (' + r.you.email + ')';
    $('hash').textContent = r.document_sha256;
    $('doc').src = base + (r.status === 'completed' ? '/signed' : '/document');
    if (r.you.status === 'signed' || r.status !== 'open') { $('form').hidden = true; say(r.status === 'completed' ? '已完成 Completed' : r.you.status === 'signed' ? '您已签署 You have signed' : r.status); }
  } catch (e) { $('form').hidden = true; say(e.message); }
}
const pad = $('pad'); const ctx = pad.getContext('2d'); let drawing = false; let drawn = false;
pad.addEventListener('pointerdown', (e) => { drawing = true; drawn = true; ctx.beginPath(); ctx.moveTo(e.offsetX, e.offsetY); });
pad.addEventListener('pointermove', (e) => { if (drawing) { ctx.lineTo(e.offsetX, e.offsetY); ctx.stroke(); } });
addEventListener('pointerup', () => { drawing = false; });
$('clear').addEventListener('click', () => { ctx.clearRect(0, 0, pad.width, pad.height); drawn = false; });
$('send').addEventListener('click', async () => { try { const r = await call('POST', '/code', {}); say('验证码已发送至 Code sent to ' + r.sent_to); } catch (e) { say(e.message); } });
$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const typed = $('typed').value.trim();
  const signature = drawn ? { kind: 'drawn', png: pad.toDataURL('image/png') } : { kind: 'typed', text: typed };
  try { await call('POST', '', { code: $('code').value.trim(), signature }); await load(); } catch (e) { say(e.message); }
});
load();`;

export function signingPage(): SigningPage {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>签署 Sign</title><link rel="icon" href="data:,"><style nonce="${nonce}">
body { font-family: system-ui, 'WenQuanYi Micro Hei', sans-serif; margin: 0 auto; max-width: 900px; padding: 12px; }
iframe { width: 100%; height: 60vh; border: 1px solid #ccc; } canvas { border: 1px solid #999; touch-action: none; }
code { word-break: break-all; font-size: 11px; } label { display: block; margin: 8px 0 4px; } #msg { color: #a40; min-height: 1.2em; }
</style></head><body>
<h1 id="title"></h1><p id="who"></p><p>SHA-256: <code id="hash"></code></p>
<iframe id="doc" title="document"></iframe>
<p id="msg"></p>
<form id="form">
<button type="button" id="send">发送验证码 Send me a code</button>
<label for="code">验证码 Code</label><input id="code" inputmode="numeric" maxlength="6" autocomplete="one-time-code">
<label for="typed">键入姓名 Type your name</label><input id="typed" maxlength="120">
<label>或手写签名 Or draw your signature</label><canvas id="pad" width="400" height="120"></canvas>
<button type="button" id="clear">清除 Clear</button>
<p><button type="submit">签署 Sign</button></p>
</form>
<script nonce="${nonce}">${SCRIPT}</script></body></html>`;
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; frame-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'`;
  return { html, csp };
}
