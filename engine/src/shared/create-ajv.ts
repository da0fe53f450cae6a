// One ajv setup (JSON Schema 2020-12 + formats) for the meta-schema and for record validation alike.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

type AddFormats = (ajv: Ajv2020, options?: { keywords?: boolean }) => Ajv2020;
// ajv-formats is CommonJS; under NodeNext its default import is the module object or the function.
const addFormats = ((addFormatsPlugin as unknown as { default?: AddFormats }).default ??
  (addFormatsPlugin as unknown as AddFormats));

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv, { keywords: true });
  return ajv;
}
