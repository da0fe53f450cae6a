// What the record form hands its custom fields (rjsf's formContext): the layout, the locale, texts and the page's
// file and fetch functions. Its own file so the fields and the form that mounts them import it, not each other.
import type { SectionMeta } from '../api/meta-types';

export interface FormContext {
  /** Sections of the tab shown; other tabs' fields stay in the form's data, out of sight. */
  sections: SectionMeta[];
  locale: string;
  fetchJson: (path: string) => Promise<unknown>;
  texts: {
    calculated: string;
    search: string;
    none: string;
    remove: string;
    invalidJson: (reason: string) => string;
    upload: string;
    replace: string;
    uploading: string;
    noFile: string;
    download: (name: string) => string;
  };
  /** A field says its text cannot be read as a value (or can again), so the page does not save a stale value. */
  reportInvalid?: (field: string, invalid: boolean) => void;
  /** A saved record's file fields, through the file routes (absent on a form with no record behind it). */
  files?: {
    upload(field: string, file: File): Promise<void>;
    remove(field: string): Promise<void>;
    download(field: string, name: string): Promise<void>;
    errorText(e: unknown): string;
  };
}
