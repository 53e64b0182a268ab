// @ts-check
// mtreview review component, part 1 of 6: text helpers with no DOM (tested by node --test,
// tests/js/, and in Chromium). Offsets sent back to Python are Unicode code points (JS
// strings count UTF-16 units).

/** A stretch of a segment, half-open, in code points, and the text it covers.
 * @typedef {{start: number, end: number, text: string}} Span */
/** A highlight drawn over a segment's text (code points).
 * @typedef {{start: number, end: number, kind?: string, label?: string, focus?: boolean}} Mark */
/** A piece of text between mark boundaries, with the marks that cover it.
 * @typedef {{start: number, end: number, text: string, marks: Mark[]}} Piece */
/** An MQM category or a severity as the picker offers it (`key`: its shortcut).
 * @typedef {{label: string, key?: string}} Choice */

/** The length of `text` in code points.
 * @param {string} text
 * @returns {number} */
export function cpLength(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** A UTF-16 offset of `text` as a code-point offset.
 * @param {string} text
 * @param {number} offset
 * @returns {number} */
export function utf16ToCp(text, offset) {
  return cpLength(text.slice(0, offset));
}

/** A code-point offset of `text` as a UTF-16 offset.
 * @param {string} text
 * @param {number} index
 * @returns {number} */
export function cpToUtf16(text, index) {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen >= index) break;
    units += ch.length;
    seen += 1;
  }
  return units;
}

/** Code-point offsets where a user-perceived character (grapheme) starts, plus the end.
 * @param {string} text
 * @returns {number[]} */
export function graphemeBounds(text) {
  const bounds = [0];
  if (typeof Intl !== "undefined" && Intl.Segmenter) {
    const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    let cp = 0;
    for (const part of segmenter.segment(text)) {
      cp += cpLength(part.segment);
      bounds.push(cp);
    }
  } else {
    let cp = 0;
    for (const _ of text) bounds.push(++cp);
  }
  return bounds;
}

/** Widen [start, end) to whole graphemes and trim the spaces a double click takes along.
 * @param {string} text
 * @param {number} start
 * @param {number} end
 * @returns {Span | null} */
export function snapSpan(text, start, end) {
  const chars = Array.from(text);
  const bounds = graphemeBounds(text);
  let s = 0;
  for (const b of bounds) if (b <= start) s = b;
  let e = chars.length;
  for (let i = bounds.length - 1; i >= 0; i -= 1) if (bounds[i] >= end) e = bounds[i];
  while (s < e && /\s/u.test(chars[s])) s += 1;
  while (e > s && /\s/u.test(chars[e - 1])) e -= 1;
  if (s >= e) return null;
  return { start: s, end: e, text: chars.slice(s, e).join("") };
}

/** Pieces of `text` between every mark boundary, each with the marks covering it.
 * @param {string} text
 * @param {Mark[]} marks
 * @returns {Piece[]} */
export function pieces(text, marks) {
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const m of marks) {
    cuts.add(Math.max(0, Math.min(chars.length, m.start)));
    cuts.add(Math.max(0, Math.min(chars.length, m.end)));
  }
  const sorted = Array.from(cuts).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    if (a === b) continue;
    out.push({
      start: a,
      end: b,
      text: chars.slice(a, b).join(""),
      marks: marks.filter((m) => m.start <= a && m.end >= b),
    });
  }
  return out;
}

// The words and punctuation marks of `text` as code-point spans: what the arrow keys step
// through when the segment is selected from the keyboard.
/** @param {string} text
 * @returns {{start: number, end: number}[]} */
export function tokens(text) {
  const out = [];
  if (typeof Intl !== "undefined" && Intl.Segmenter) {
    const segmenter = new Intl.Segmenter("fr", { granularity: "word" });
    let cp = 0;
    for (const part of segmenter.segment(text)) {
      const length = cpLength(part.segment);
      if (/\S/u.test(part.segment)) out.push({ start: cp, end: cp + length });
      cp += length;
    }
    return out;
  }
  const pattern = /[\p{L}\p{N}\p{M}'’-]+|[^\s\p{L}\p{N}]/gu;
  for (const match of text.matchAll(pattern)) {
    const start = utf16ToCp(text, match.index);
    out.push({ start, end: start + cpLength(match[0]) });
  }
  return out;
}

// Where `[start, end)` of `original` (UTF-16 units) sits in `current`, an edited copy:
// unchanged text before the first edit and after the last keeps its place; otherwise the
// occurrence of the same words nearest to where they were. null when they are gone.
/** @param {string} original
 * @param {string} current
 * @param {number} start
 * @param {number} end
 * @returns {{start: number, end: number} | null} */
export function counterpart(original, current, start, end) {
  if (original === current) return { start, end };
  let prefix = 0;
  const shortest = Math.min(original.length, current.length);
  while (prefix < shortest && original[prefix] === current[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < shortest - prefix &&
    original[original.length - 1 - suffix] === current[current.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  if (end <= prefix) return { start, end };
  const shift = current.length - original.length;
  if (start >= original.length - suffix) return { start: start + shift, end: end + shift };
  const words = original.slice(start, end);
  if (!words) return null;
  let best = null;
  for (let at = current.indexOf(words); at >= 0; at = current.indexOf(words, at + 1)) {
    const expected = start + (shift * start) / Math.max(1, original.length);
    if (best === null || Math.abs(at - expected) < Math.abs(best - expected)) best = at;
  }
  return best === null ? null : { start: best, end: best + words.length };
}

/** Categories whose label contains every word typed, those starting with it first.
 * @template {Choice} C
 * @param {C[]} categories
 * @param {string} query
 * @returns {C[]} */
export function filterCategories(categories, query) {
  const words = query.toLowerCase().split(/\s+/u).filter(Boolean);
  if (!words.length) return categories.slice();
  const hits = categories.filter((c) => words.every((w) => c.label.toLowerCase().includes(w)));
  /** @param {C} c */
  const starts = (c) =>
    c.label
      .toLowerCase()
      .split(/[\s/]+/u)
      .some((part) => part.startsWith(words[0]));
  return [...hits.filter(starts), ...hits.filter((c) => !starts(c))];
}
