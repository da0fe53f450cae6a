// Signing records are written only by this plugin: signers' statuses, codes and signatures, the events of the chain,
// a request's outcome. The flag below is set around the plugin's own pipeline writes (an AsyncLocalStorage, so it
// follows them into the before hooks and no client can set it); any other create, update or delete is refused.
// A request itself is created by the request_signatures action, also inside the flag.
import { AsyncLocalStorage } from 'node:async_hooks';
import { PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';

const trusted = new AsyncLocalStorage<true>();

export const SIGNING_ENTITIES = ['signing_request', 'signing_signer', 'signing_event'];

/** Runs `write` as the esign plugin's own. */
export function asEsign<T>(write: () => Promise<T>): Promise<T> {
  return trusted.run(true, write);
}

export function guardSigningRecords(host: PluginHost): void {
  const refuse = (): void => {
    if (trusted.getStore() !== true)
      throw new PluginRejection(
        'signing records are written by the signing flow (request_signatures and the signers’ links)',
        '',
        'esign.read_only',
        403,
      );
  };
  for (const event of ['record.beforeCreate', 'record.beforeUpdate', 'record.beforeDelete'] as const)
    host.before(event, refuse, { entities: SIGNING_ENTITIES });
  // An event, once recorded, is never changed, even by the plugin: the chain is append-only.
  host.before(
    'record.beforeUpdate',
    () => {
      throw new PluginRejection('a signing event is never changed', '', 'esign.read_only', 403);
    },
    { entities: ['signing_event'] },
  );
}
