// A transition's runAction names a plugin action of its entity that runs with no input (#20 part 2): anything else
// is a metadata problem with file, pointer and rule, found when the Model is prepared and by `tessera validate`.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { checkTransitionActions } from '../../../../engine/src/plugins/check-transition-actions.js';
import type { ActionDef } from '../../../../engine/src/plugins/plugin-api.js';
import { makeTempDir, removeDir, writePack } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const root = makeTempDir('tessera-transition-actions-');
afterAll(() => removeDir(root));

const ticket = (runAction: string) => ({
  id: 'ta.ticket',
  name: 'ticket',
  label: { en: 'Ticket' },
  fields: [
    { id: 'ta.ticket.title', name: 'title', kind: 'text', label: { en: 'Title' } },
    {
      id: 'ta.ticket.status',
      name: 'status',
      kind: 'enum',
      label: { en: 'Status' },
      default: 'open',
      values: [
        { value: 'open', label: { en: 'Open' } },
        { value: 'closed', label: { en: 'Closed' } },
      ],
      transitions: { initial: ['open'], allowed: [{ id: 'ta.ticket.close', name: 'close', from: ['open'], to: 'closed', runAction }] },
    },
  ],
});

const action = (name: string, input: ActionDef['input']): [string, ActionDef] => [
  `ticket/${name}`,
  { entity: 'ticket', name, input, run: async () => undefined },
];
const ACTIONS = new Map([
  action('notify_customer', { type: 'object', properties: { note: { type: 'string' } } }),
  action('refund', { type: 'object', required: ['amount'], properties: { amount: { type: 'string' } } }),
]);

function problemsFor(runAction: string) {
  const dir = writePack(join(root, runAction), { name: 'ta', version: '1.0.0', label: { en: 'TA' } }, [ticket(runAction)]);
  const model = loadModel([resolve('metadata/packs/core'), dir], { kinds: BUILTIN_RULES.kinds });
  return checkTransitionActions(model, ACTIONS).map((p) => ({
    file: p.file.slice(dir.length),
    pointer: p.pointer,
    rule: p.rule,
    message: p.message,
  }));
}

describe('checkTransitionActions', () => {
  it('accepts an action of the entity that runs with no input', () => {
    expect(problemsFor('notify_customer')).toEqual([]);
  });

  it('refuses an action the plugins do not provide, naming those they do', () => {
    expect(problemsFor('escalate')).toEqual([
      {
        file: '/entities/ticket.json',
        pointer: '/fields/1/transitions/allowed/0/runAction',
        rule: 'transition.unknown_action',
        message: "ticket has no plugin action 'escalate' (it has notify_customer, refund)",
      },
    ]);
  });

  it('refuses an action that needs input', () => {
    expect(problemsFor('refund').map((p) => p.rule)).toEqual(['transition.action_needs_input']);
  });
});
