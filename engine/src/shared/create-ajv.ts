// One ajv setup (JSON Schema 2020-12 + formats) for the meta-schema and for record validation alike.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { compareInstants, isInstant } from './instant.js';

type AddFormats = (ajv: Ajv2020, options?: { keywords?: boolean }) => Ajv2020;
// ajv-formats is CommonJS; under NodeNext its default import is the module object or the function.
const addFormats = (addFormatsPlugin as unknown as { default?: AddFormats }).default ?? (addFormatsPlugin as unknown as AddFormats);

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv, { keywords: true });
  // ajv-formats' date-time takes leap seconds, any number of digits and years PostgreSQL prints as BC;
  // records are written with the same reading filters and evaluators use.
  ajv.addFormat('date-time', { type: 'string', validate: isInstant, compare: compareInstants });
  return ajv;
}
