// For plugins that make one record from another (one stage of a business process into the next): the values of
// the source that are set, renamed to the target's fields, so nothing is typed twice and nulls are not copied over
// the target's defaults.
import type { PluginRecord } from './plugin-api.js';

/** The values of `from` that are set, under the names `fields` maps them to (source name -> target name). */
export function carriedValues(from: PluginRecord, fields: Readonly<Record<string, string>>): PluginRecord {
  const out: PluginRecord = {};
  for (const [source, target] of Object.entries(fields)) {
    const value = from[source];
    if (value !== null && value !== undefined) out[target] = value;
  }
  return out;
}
