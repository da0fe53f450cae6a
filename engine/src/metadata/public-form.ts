// Public forms as a pack declares them on an entity (metadata/schema/public-form.schema.json) and as the Model keeps
// them: the file shape is the Model shape. check-public-forms.ts checks what the meta-schema cannot; the links are
// issued and submitted by workflow/public-links.ts.
import type { Label } from './label.js';

export interface PublicFormDef {
  readonly id: string;
  readonly name: string;
  readonly label: Label;
  readonly description?: Label;
  readonly fields: readonly string[];
  readonly required?: readonly string[];
  /** JSON Logic over the stored record: links are issued and forms submitted only while it holds. */
  readonly when?: unknown;
  /** ISO-8601 duration (see durationMs in approval-flow.ts). */
  readonly validFor: string;
  /** Spent by the first submission; true when absent. */
  readonly once?: boolean;
}
