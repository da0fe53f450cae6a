// File sizes on screen: bytes as they are, larger units with one decimal below ten, nonsense as a dash.
import { describe, expect, it } from 'vitest';
import { fileSize } from '../../../runtime-ui/src/record/file-size.js';

describe('fileSize', () => {
  it('reads as people read sizes', () => {
    expect(fileSize(0)).toBe('0 B');
    expect(fileSize(1023)).toBe('1023 B');
    expect(fileSize(1536)).toBe('1.5 KB');
    expect(fileSize(10 * 1024 * 1024)).toBe('10 MB');
    expect(fileSize(25 * 1024 ** 3)).toBe('25 GB');
    expect(fileSize(-1)).toBe('—');
    expect(fileSize(Number.NaN)).toBe('—');
  });
});
