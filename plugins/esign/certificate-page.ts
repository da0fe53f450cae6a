// The completion certificate appended to a signed contract: the document's SHA-256 as rendered (the bytes every
// signer was shown), each signer with their confirmed e-mail, time and signature (typed, or the drawn image), every
// event of the chain with its hash, and the instance certificate that seals it. HTML, printed by Chromium so that
// Chinese names print; every value is escaped.
import type { StoredEvent } from './event-chain.js';

export interface CertificateSigner {
  readonly name: string;
  readonly email: string;
  readonly signedAt: string;
  readonly kind: 'typed' | 'drawn';
  readonly text?: string;
  /** A drawn signature as PNG bytes. */
  readonly png?: Buffer;
}

export interface CertificateFacts {
  readonly requestId: string;
  readonly title: string;
  readonly documentSha256: string;
  readonly signers: readonly CertificateSigner[];
  readonly events: readonly StoredEvent[];
  readonly sealedBy: { readonly subject: string; readonly fingerprint: string };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function signature(s: CertificateSigner): string {
  if (s.kind === 'drawn' && s.png) return `<img alt="" style="max-height:40pt" src="data:image/png;base64,${s.png.toString('base64')}">`;
  return `<span style="font-size:16pt;font-style:italic">${esc(s.text ?? '')}</span>`;
}

export function certificatePageHtml(f: CertificateFacts): string {
  const signers = f.signers
    .map((s) => `<tr><td>${esc(s.name)}<br><small>${esc(s.email)}</small></td><td>${esc(s.signedAt)}</td><td>${signature(s)}</td></tr>`)
    .join('');
  const events = f.events
    .map(
      (e) =>
        `<tr><td>${e.seq}</td><td>${esc(e.at)}</td><td>${esc(e.kind)}</td><td>${esc(e.actor)}</td><td class="h">${esc(e.hash)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; font-size: 9pt; color: #222; }
  h1 { font-size: 15pt; } table { width: 100%; border-collapse: collapse; margin: 6pt 0 12pt; }
  th, td { border: 0.5pt solid #999; padding: 3pt; text-align: left; vertical-align: top; } .h { font-family: monospace; font-size: 6.5pt; word-break: break-all; }
  .facts td:first-child { width: 28%; }
</style></head><body>
<h1>Certificate of completion 签署完成证明</h1>
<table class="facts">
<tr><td>Document 文档</td><td>${esc(f.title)}</td></tr>
<tr><td>Signing request 签署请求</td><td>${esc(f.requestId)}</td></tr>
<tr><td>Document SHA-256 文档哈希</td><td class="h">${esc(f.documentSha256)}</td></tr>
<tr><td>Sealed by 签章证书</td><td>${esc(f.sealedBy.subject)}<br><span class="h">SHA-256 ${esc(f.sealedBy.fingerprint)}</span></td></tr>
</table>
<h2>Signers 签署人</h2>
<table><tr><th>Signer 签署人</th><th>Signed at 签署时间</th><th>Signature 签名</th></tr>${signers}</table>
<h2>Events 事件</h2>
<table><tr><th>#</th><th>At 时间</th><th>Event 事件</th><th>By 操作人</th><th>Hash 哈希</th></tr>${events}</table>
</body></html>`;
}
