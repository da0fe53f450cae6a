// @vitest-environment happy-dom
// The React form island inside Vue: rjsf renders the layout's sections with the record's values, a change comes
// back to Vue as an event, server errors show under their field, a calculated value is a read-only display with
// its explanation, and unmounting removes React's DOM.
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import FormIsland from '../../../runtime-ui/src/record/FormIsland.vue';

const props = () => ({
  schema: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', title: 'Name' },
      revenue: {
        type: ['object', 'null'],
        title: 'Revenue',
        properties: { amount: { type: 'string' }, currency: { type: 'string', enum: ['CNY', 'USD'] } },
      },
      score: { type: ['object', 'null'], readOnly: true, title: 'Score' },
    },
  },
  uiSchema: {
    name: { 'ui:title': '客户名称' },
    revenue: { 'ui:title': '年营业额', amount: { 'ui:label': false }, currency: { 'ui:label': false } },
    score: {
      'ui:title': '价值评分',
      'ui:field': 'readonlyValue',
      'ui:options': { kind: 'score', values: null, titleField: null, derived: true, criteria: [{ id: 'revenue', label: '营业额' }] },
    },
  },
  formData: {
    name: '宇凯机械',
    revenue: { amount: '100.00', currency: 'CNY' },
    score: { points: '45.00', band: 'B', explanation: [{ criterion: 'revenue', points: 20 }] },
  },
  extraErrors: {},
  context: {
    sections: [
      { name: 'basic', label: '基本信息', columns: 2, collapsed: false, fields: ['name', 'revenue'] },
      { name: 'figures', label: '关键指标', columns: 1, collapsed: false, fields: ['score'] },
    ],
    locale: 'zh-CN',
    fetchJson: async () => ({ data: [] }),
    texts: {
      calculated: '自动计算',
      search: '搜索',
      none: '无',
      remove: '移除',
      invalidJson: (reason: string) => `不是有效的 JSON：${reason}`,
      upload: '上传文件',
      replace: '替换',
      uploading: '正在上传…',
      noFile: '尚无文件。',
      download: (name: string) => `下载 ${name}`,
    },
  },
});

// React renders the island asynchronously; on a loaded machine (CI next to other work) that takes more than
// waitFor's default second.
const SLOW = { timeout: 10_000 };

describe('FormIsland', () => {
  it('renders sections with the values, emits changes, shows errors, and unmounts React', async () => {
    const wrapper = mount(FormIsland, { props: props(), attachTo: document.body });
    const root = wrapper.element as HTMLElement;
    const input = await vi.waitFor(() => {
      const el = root.querySelector<HTMLInputElement>('#root_name');
      if (!el) throw new Error('the form is not rendered yet');
      return el;
    }, SLOW);
    expect(input.value).toBe('宇凯机械');
    const sections = [...root.querySelectorAll('[data-section]')].map((s) => s.getAttribute('data-section'));
    expect(sections).toEqual(['basic', 'figures']);
    expect(root.querySelector('[data-section=basic] .tsection-body')?.className).toContain('cols-2');
    expect(root.querySelector<HTMLInputElement>('#root_revenue_amount')?.value).toBe('100.00');
    const score = root.querySelector('[data-field=score] .readonly-value');
    expect(score?.textContent).toBe('45.00 · B');
    expect(score?.getAttribute('title')).toBe('营业额: 20');
    expect(root.querySelector('[data-field=score] .calc')?.textContent).toBe('自动计算');

    // A user's edit, as React sees it: the native value setter, then an input event.
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    setter?.call(input, '宇凯机械集团');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.waitFor(() => expect(wrapper.emitted('change')?.at(-1)?.[0]).toMatchObject({ name: '宇凯机械集团' }), SLOW);

    await wrapper.setProps({ extraErrors: { name: { __errors: ['此项为必填项。'] } } });
    await vi.waitFor(() => expect(root.querySelector('[data-field=name] .error-detail')?.textContent).toContain('此项为必填项。'), SLOW);

    wrapper.unmount();
    expect(document.querySelector('#root_name')).toBeNull();
  });
});
