// Text -> search terms, for the index and for queries alike. Chinese (and Japanese, Korean) runs become single
// characters and character pairs, so any substring of two or more characters is found by its pairs; PostgreSQL's
// parser would take a whole run for one word, and pg_trgm cannot index two-character words (STACK-NOTES.md).
// Other words become lower-case whole words, found by prefix. Pure; called by search-index.ts and the search route.

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const RUNS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
/** A longer word is cut: terms stay small, and a prefix that long finds it anyway. */
const MAX_WORD = 40;
const MAX_TERMS = 4000;
/** A query's terms past this add little and cost the index: the rest of the text is ignored. */
const MAX_QUERY_TERMS = 24;

function runsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(RUNS) ?? [];
}

const isCjk = (run: string): boolean => CJK.test(run);

function pairs(run: string): string[] {
  const chars = [...run];
  return chars.slice(1).map((c, i) => `${chars[i]}${c}`);
}

/** The distinct terms a text is found by. */
export function searchTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const run of runsOf(text)) {
    if (isCjk(run)) {
      for (const c of run) terms.add(c);
      for (const p of pairs(run)) terms.add(p);
    } else {
      terms.add([...run].slice(0, MAX_WORD).join(''));
    }
    if (terms.size >= MAX_TERMS) break;
  }
  return [...terms].slice(0, MAX_TERMS);
}

function lexeme(term: string, prefix: boolean): string {
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${prefix ? ':*' : ''}`;
}

/**
 * A tsquery (text form, cast by the caller) matching records whose text has every part of `text`: a Chinese run by
 * its character (one character) or all its pairs, any other word as a prefix. Undefined when nothing is searchable.
 */
export function searchQuery(text: string): string | undefined {
  const parts: string[] = [];
  for (const run of runsOf(text)) {
    if (isCjk(run)) {
      const chars = [...run];
      if (chars.length === 1) parts.push(lexeme(run, false));
      else for (const p of pairs(run)) parts.push(lexeme(p, false));
    } else {
      parts.push(lexeme([...run].slice(0, MAX_WORD).join(''), true));
    }
  }
  const kept = [...new Set(parts)].slice(0, MAX_QUERY_TERMS);
  return kept.length === 0 ? undefined : kept.join(' & ');
}
