// The words the record form's React widgets show, in the user's language (the island has no i18n of its own), and
// an upload's refusal in words, for the form's file fields and the attachments panel alike.
import { ApiError } from '../api/client';
import { t } from '../i18n/i18n';
import { uploadRefusal } from './file-text';
import type { FormContext } from './form-context';

export function formTexts(): FormContext['texts'] {
  return {
    calculated: t('record.readOnly'),
    search: t('shell.search'),
    none: t('record.noRelated'),
    remove: t('record.remove'),
    invalidJson: (reason) => t('record.invalidJson', { reason }),
    upload: t('file.upload'),
    replace: t('file.replace'),
    uploading: t('file.uploading'),
    noFile: t('file.none'),
    download: (name) => t('file.download', { name }),
  };
}

export function uploadErrorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.network');
  const key = uploadRefusal(e.status);
  return key ? t(key) : t('file.failed', { detail: e.detail });
}
