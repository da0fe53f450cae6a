// The words for each refusal the engine's upload route gives.
import { describe, expect, it } from 'vitest';
import { uploadRefusal } from '../../../runtime-ui/src/record/file-text.js';

describe('upload refusals', () => {
  it('names too large (413), a refused type (415) and a bad name (400); others keep the server words', () => {
    expect(uploadRefusal(413)).toBe('file.tooLarge');
    expect(uploadRefusal(415)).toBe('file.typeRefused');
    expect(uploadRefusal(400)).toBe('file.badName');
    expect(uploadRefusal(503)).toBeUndefined();
  });
});
