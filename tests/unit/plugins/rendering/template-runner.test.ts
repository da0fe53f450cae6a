// Templates in their worker thread. Liquid: output escaped, a variable outside the data, a prototype reach and a file
// include refused, a render past Liquid's limit refused, and a render past the wall-clock timeout stopped by
// terminating the thread, after which the next render runs on a fresh one. Word: a .docx filled in the same thread,
// a broken one refused as a template failure.
import { afterAll, describe, expect, it } from 'vitest';
import { TemplateRunner } from '../../../../plugins/rendering/template-runner.js';
import { paragraph, wordTemplate, wordText } from '../../../support/word-docs.js';

const runner = new TemplateRunner({ timeoutMs: 4_000, renderLimitMs: 1_000, maxHeapMb: 64 });
const strict = new TemplateRunner({ timeoutMs: 1_500, renderLimitMs: 60_000, maxHeapMb: 64 });

afterAll(async () => {
  await runner.close();
  await strict.close();
});

async function refusal(r: TemplateRunner, template: string): Promise<string> {
  try {
    await r.render(template, { customer: { name: 'A' } });
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'rendered';
}

describe('the template runner', () => {
  it('renders merge data, escaping it as HTML', async () => {
    expect(await runner.render('<p>{{ customer.name }} 合同</p>', { customer: { name: '<A&B>' } })).toBe('<p>&lt;A&amp;B&gt; 合同</p>');
  });

  it('refuses what reaches outside the data', async () => {
    expect(await refusal(runner, '{{ process }}')).toBe('rendering.template_failed');
    expect(await refusal(runner, '{{ customer.constructor }}')).toBe('rendering.template_failed');
    expect(await refusal(runner, "{% include '/etc/passwd' %}")).toBe('rendering.template_failed');
  });

  it('stops a runaway loop at the render limit', async () => {
    expect(await refusal(runner, '{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}')).toBe(
      'rendering.limit',
    );
  });

  it('terminates a render past its timeout, and renders the next on a fresh thread', async () => {
    expect(await refusal(strict, '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}')).toBe('rendering.timeout');
    expect(await strict.render('{{ customer.name }}', { customer: { name: 'again' } })).toBe('again');
  }, 20_000);

  it('fills a Word template in the worker, and refuses a broken one as a template failure', async () => {
    const docx = await runner.fillWord(wordTemplate(paragraph('{#customer}{name}{/customer}')), { customer: { name: '客户 A' } });
    expect(wordText(docx)).toBe('客户 A\n');
    const broken = runner.fillWord(wordTemplate(paragraph('{#customer}{name}')), { customer: { name: 'A' } });
    await expect(broken).rejects.toMatchObject({
      code: 'rendering.template_failed',
      detail: 'the Word template cannot render: The loop with tag "customer" is unclosed',
    });
    expect(await runner.render('{{ customer.name }}', { customer: { name: 'still Liquid' } })).toBe('still Liquid');
  });
});
