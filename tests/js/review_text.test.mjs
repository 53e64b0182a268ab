// Unit tests of the review component's pure helpers (mtreview/ui/review_text.js and the
// DOM-free ones of the other parts), run by `node --test tests/js/` from scripts/test.sh.
// Offsets sent to Python are code points; JS strings count UTF-16 units.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
  counterpart,
  cpLength,
  cpToUtf16,
  filterCategories,
  graphemeBounds,
  pieces,
  snapSpan,
  tokens,
  utf16ToCp,
} from "../../mtreview/ui/review_text.js";

const TEXT = "Un 👍🏽 été e\u0301té 🇫🇷!"; // as the Chromium test: emoji, modifier, accent, flag
const THUMB = Array.from(TEXT).indexOf("👍"); // code points
const ACCENT = Array.from(TEXT).indexOf("\u0301") - 1;
const FLAG = Array.from(TEXT).indexOf("🇫");

// Run a block once with Intl.Segmenter and once without (the fallback of older browsers).
function withoutSegmenter() {
  const saved = Intl.Segmenter;
  beforeEach(() => {
    // @ts-ignore: the fallback path is taken when the browser has no Intl.Segmenter
    Intl.Segmenter = undefined;
  });
  afterEach(() => {
    Intl.Segmenter = saved;
  });
}

describe("code points and UTF-16 units", () => {
  test("cpLength counts an astral character once, a combining accent on its own", () => {
    assert.equal(cpLength(""), 0);
    assert.equal(cpLength("été"), 3);
    assert.equal(cpLength("e\u0301"), 2);
    assert.equal(cpLength("👍🏽"), 2); // thumb + skin tone, 4 UTF-16 units
    assert.equal(cpLength("🇫🇷"), 2);
    assert.equal(cpLength(TEXT), [...TEXT].length);
    assert.notEqual(cpLength(TEXT), TEXT.length);
  });

  test("an offset after an emoji is 2 UTF-16 units per astral code point further", () => {
    const units = TEXT.indexOf("été");
    assert.equal(units, 8); // "Un " + 4 units + " "
    assert.equal(utf16ToCp(TEXT, units), 6);
    assert.equal(cpToUtf16(TEXT, 6), units);
  });

  test("every code-point boundary survives the round trip", () => {
    const samples = [TEXT, "👨‍👩‍👧 famille", "𝔘𝔫 texte", "a\u0301\u0302b", ""];
    for (const text of samples) {
      let units = 0;
      let cp = 0;
      for (const ch of text) {
        assert.equal(cpToUtf16(text, cp), units, `${text} at ${cp}`);
        assert.equal(utf16ToCp(text, units), cp, `${text} at ${units}`);
        units += ch.length;
        cp += 1;
      }
      assert.equal(utf16ToCp(text, text.length), cpLength(text));
      assert.equal(cpToUtf16(text, cpLength(text)), text.length);
    }
  });

  test("out-of-range and mid-pair offsets", () => {
    assert.equal(cpToUtf16("a😀b", 99), 4); // past the end: the whole text
    assert.equal(utf16ToCp("a😀b", 99), 3);
    assert.equal(utf16ToCp("a😀b", 2), 2); // inside the pair: counted as after it
    assert.equal(cpToUtf16("a😀b", 0), 0);
  });
});

describe("graphemes and snapping a selection", () => {
  test("grapheme bounds keep accents, skin tones, flags and ZWJ families whole", () => {
    assert.deepEqual(graphemeBounds("e\u0301t"), [0, 2, 3]);
    assert.deepEqual(graphemeBounds("👍🏽a"), [0, 2, 3]);
    assert.deepEqual(graphemeBounds("🇫🇷🇩🇪"), [0, 2, 4]);
    assert.deepEqual(graphemeBounds("👨‍👩‍👧!"), [0, 5, 6]);
    assert.deepEqual(graphemeBounds(""), [0]);
  });

  test("half an emoji, a flag or an accented letter widens to the whole of it", () => {
    assert.deepEqual(snapSpan(TEXT, THUMB, THUMB + 1), {
      start: THUMB,
      end: THUMB + 2,
      text: "👍🏽",
    });
    assert.deepEqual(snapSpan(TEXT, ACCENT + 1, ACCENT + 2), {
      start: ACCENT,
      end: ACCENT + 2,
      text: "e\u0301",
    });
    assert.deepEqual(snapSpan(TEXT, FLAG + 1, FLAG + 2), { start: FLAG, end: FLAG + 2, text: "🇫🇷" });
  });

  test("the spaces a double click takes along are dropped; only spaces is nothing", () => {
    assert.deepEqual(snapSpan(TEXT, THUMB - 1, THUMB + 4), {
      start: THUMB,
      end: THUMB + 4,
      text: "👍🏽 é",
    });
    assert.deepEqual(snapSpan("Un chat  noir", 2, 9), { start: 3, end: 7, text: "chat" });
    assert.equal(snapSpan("Un chat  noir", 7, 9), null);
    assert.equal(snapSpan("abc", 1, 1), null);
  });

  test("a selection that starts or ends mid-word keeps its letters (no word snapping)", () => {
    // the reviewer's letters are what is marked: "hat no", not "chat noir"
    assert.deepEqual(snapSpan("Un chat noir", 4, 10), { start: 4, end: 10, text: "hat no" });
    // but never half a letter: the accent goes with its e
    const text = "Une re\u0301ponse";
    assert.deepEqual(snapSpan(text, 6, 9), { start: 5, end: 9, text: "e\u0301po" });
  });

  describe("without Intl.Segmenter", () => {
    withoutSegmenter();
    test("the widening is by code point", () => {
      assert.deepEqual(graphemeBounds("e\u0301t"), [0, 1, 2, 3]);
      assert.deepEqual(snapSpan("e\u0301t", 1, 2), { start: 1, end: 2, text: "\u0301" });
      assert.deepEqual(snapSpan(" ab ", 0, 4), { start: 1, end: 3, text: "ab" });
    });
  });
});

describe("pieces between marks", () => {
  test("cuts at every mark boundary, each piece with the marks covering it", () => {
    const a = { start: 1, end: 4, kind: "flag" };
    const b = { start: 2, end: 6, kind: "error" };
    const out = pieces("abcdef", [a, b]);
    assert.deepEqual(
      out.map((p) => [p.start, p.end, p.text, p.marks.map((m) => m.kind)]),
      [
        [0, 1, "a", []],
        [1, 2, "b", ["flag"]],
        [2, 4, "cd", ["flag", "error"]],
        [4, 6, "ef", ["error"]],
      ],
    );
  });

  test("counts code points and clamps marks to the text", () => {
    const out = pieces("👍🏽 ok", [{ start: 0, end: 2 }, { start: 3, end: 99 }]);
    assert.deepEqual(
      out.map((p) => [p.start, p.end, p.text, p.marks.length]),
      [
        [0, 2, "👍🏽", 1],
        [2, 3, " ", 0],
        [3, 5, "ok", 1],
      ],
    );
    assert.equal(out.map((p) => p.text).join(""), "👍🏽 ok");
    assert.deepEqual(pieces("", []), []);
  });
});

describe("tokens for the keyboard", () => {
  const TEXT = "L’homme, ici : 👍🏽 ok.";

  /** @param {{start: number, end: number}[]} spans */
  const words = (spans) => spans.map((s) => Array.from(TEXT).slice(s.start, s.end).join(""));

  test("words and punctuation marks, no spaces, in code points", () => {
    const spans = tokens(TEXT);
    assert.deepEqual(words(spans), ["L’homme", ",", "ici", ":", "👍🏽", "ok", "."]);
    assert.deepEqual(spans.at(-2), { start: 18, end: 20 });
    assert.deepEqual(tokens("   "), []);
    assert.deepEqual(tokens("ok-là"), [
      { start: 0, end: 2 },
      { start: 2, end: 3 },
      { start: 3, end: 5 },
    ]); // the segmenter steps over the hyphen
  });

  describe("without Intl.Segmenter", () => {
    withoutSegmenter();
    test("a pattern finds the same words; an emoji is a mark per code point", () => {
      const spans = tokens(TEXT);
      assert.deepEqual(words(spans), ["L’homme", ",", "ici", ":", "👍", "🏽", "ok", "."]);
      assert.deepEqual(spans.at(-2), { start: 18, end: 20 });
      assert.deepEqual(tokens("ok-là"), [{ start: 0, end: 5 }]); // a hyphen joins words
    });
  });
});

describe("counterpart: a span of the machine translation in the edited box", () => {
  const MT = "Le chat noir dort.";

  test("unchanged text, or an edit after the span, keeps the offsets", () => {
    assert.deepEqual(counterpart(MT, MT, 3, 7), { start: 3, end: 7 });
    assert.deepEqual(counterpart(MT, "Le chat noir dort ici.", 3, 7), { start: 3, end: 7 });
  });

  test("an edit before the span shifts it", () => {
    assert.deepEqual(counterpart(MT, "Un gros chat noir dort.", 8, 12), { start: 13, end: 17 });
  });

  test("inside the edit: the same words nearest to where they were", () => {
    // "chat" at 9 of the original; the box has it at 2 and 10, and the edit spans both
    const found = counterpart("a chat b chat c", "a chat bb chat cc", 9, 13);
    assert.deepEqual(found, { start: 10, end: 14 });
  });

  test("words the reviewer has changed are gone", () => {
    assert.equal(counterpart(MT, "Le chien noir dort.", 3, 7), null);
    assert.equal(counterpart(MT, "Le chien noir dort.", 3, 12), null);
  });

  test("offsets are UTF-16 units, as the box's selection takes them", () => {
    const mt = "👍🏽 chat noir";
    const box = "👍🏽 gros chat noir";
    const start = mt.indexOf("chat");
    assert.deepEqual(counterpart(mt, box, start, start + 4), {
      start: box.indexOf("chat"),
      end: box.indexOf("chat") + 4,
    });
  });
});

describe("filterCategories", () => {
  const CATEGORIES = [
    { label: "Accuracy/Mistranslation", key: "m" },
    { label: "Fluency/Punctuation", key: "p" },
    { label: "Style/Awkward", key: "w" },
    { label: "Accuracy/Addition", key: "a" },
    { label: "Terminology/Inconsistent" },
  ];
  /** @param {{label: string}[]} list */
  const labels = (list) => list.map((c) => c.label);

  test("an empty query keeps every category, in order, in a new list", () => {
    const all = filterCategories(CATEGORIES, "  ");
    assert.deepEqual(all, CATEGORIES);
    assert.notEqual(all, CATEGORIES);
  });

  test("every word typed must be in the label, case aside", () => {
    assert.deepEqual(labels(filterCategories(CATEGORIES, "ACC mis")), ["Accuracy/Mistranslation"]);
    assert.deepEqual(labels(filterCategories(CATEGORIES, "xyz")), []);
  });

  test("labels with a part starting with the first word come first", () => {
    assert.deepEqual(labels(filterCategories(CATEGORIES, "a")), [
      "Accuracy/Mistranslation",
      "Style/Awkward",
      "Accuracy/Addition",
      "Fluency/Punctuation",
    ]);
    assert.deepEqual(labels(filterCategories(CATEGORIES, "tion")), [
      "Accuracy/Mistranslation",
      "Fluency/Punctuation",
      "Accuracy/Addition",
    ]);
  });
});
