// Unit tests of the correction box's pure helpers (mtreview/ui/review_draft.js): what the
// box shows when the server's data arrive, its shortcuts, the drafts still unanswered and
// still worth sending.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  boxText,
  matchesShortcut,
  newestPerSegment,
  shortcutLabel,
  stillUnanswered,
} from "../../mtreview/ui/review_draft.js";

/** @param {Partial<import("../../mtreview/ui/review_draft.js").KeyPress>} press */
function keys(press) {
  return { key: "", ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...press };
}

describe("boxText", () => {
  const base = { remembered: null, current: null, saving: null };

  test("a box never shown starts from the server's text (the draft, or the saved one)", () => {
    assert.equal(boxText({ ...base, incoming: "Le brouillon" }), "Le brouillon");
  });

  test("untouched since the server's last text: the new one comes in", () => {
    const remembered = { given: "Un chat.", typed: "Un chat." };
    assert.equal(boxText({ ...base, incoming: "Un chien.", remembered }), "Un chien.");
  });

  test("typed since: a redraw never overwrites it, whatever the server sends", () => {
    const remembered = { given: "Un chat.", typed: "Un chat noir." };
    assert.equal(boxText({ ...base, incoming: "Un chat.", remembered }), "Un chat noir.");
    // the draft kept: the server now holds what is in the box
    assert.equal(boxText({ ...base, incoming: "Un chat noir.", remembered }), "Un chat noir.");
  });

  test("typed back to the server's text: the box follows the server again", () => {
    const remembered = { given: "Un chat.", typed: "Un chat." };
    assert.equal(boxText({ ...base, incoming: "Un chat gris.", remembered }), "Un chat gris.");
  });

  test("a save moved the box on: it shows the saved text", () => {
    const saved = "Un chat noir.";
    assert.equal(boxText({ ...base, incoming: saved, current: saved, saving: saved }), saved);
  });

  test("typed after the save was sent: that text stays", () => {
    const state = { ...base, incoming: "Un chat", current: "Un chat noir", saving: "Un chat" };
    assert.equal(boxText(state), "Un chat noir");
  });

  test("another version without a save of this box (their version taken): the server's", () => {
    const state = { ...base, incoming: "Leur texte.", current: "Mon texte." };
    assert.equal(boxText(state), "Leur texte.");
  });
});

describe("matchesShortcut", () => {
  test("Ctrl+S: Ctrl or Cmd with S, either case, and nothing else held", () => {
    assert.ok(matchesShortcut(keys({ key: "s", ctrlKey: true }), "Ctrl+S"));
    assert.ok(matchesShortcut(keys({ key: "S", metaKey: true }), "Ctrl+S"));
    assert.ok(!matchesShortcut(keys({ key: "s" }), "Ctrl+S"));
    assert.ok(!matchesShortcut(keys({ key: "S", ctrlKey: true, shiftKey: true }), "Ctrl+S"));
    assert.ok(!matchesShortcut(keys({ key: "s", ctrlKey: true, altKey: true }), "Ctrl+S"));
    assert.ok(!matchesShortcut(keys({ key: "d", ctrlKey: true }), "Ctrl+S"));
  });

  test("Ctrl+Shift+Enter, and the other spellings Streamlit takes", () => {
    const press = keys({ key: "Enter", ctrlKey: true, shiftKey: true });
    assert.ok(matchesShortcut(press, "Ctrl+Shift+Enter"));
    assert.ok(matchesShortcut(press, "Mod+Shift+Enter"));
    assert.ok(!matchesShortcut(keys({ key: "Enter", ctrlKey: true }), "Ctrl+Shift+Enter"));
    assert.ok(matchesShortcut(keys({ key: "Escape", altKey: true }), "Option+Esc"));
  });

  test("no shortcut: nothing matches", () => {
    assert.ok(!matchesShortcut(keys({ key: "s", ctrlKey: true }), undefined));
    assert.ok(!matchesShortcut(keys({ key: "s", ctrlKey: true }), ""));
  });
});

describe("shortcutLabel", () => {
  test("as written, or in Apple's signs on a Mac", () => {
    assert.equal(shortcutLabel("Ctrl+S", false), "Ctrl+S");
    assert.equal(shortcutLabel("Ctrl+S", true), "⌘S");
    assert.equal(shortcutLabel("Ctrl+Shift+Enter", true), "⌘⇧↵");
  });
});

describe("stillUnanswered", () => {
  const draft = (number, base = 0, segment = 3) => ({
    doc: "d",
    segment,
    base,
    text: `t${number}`,
    number,
  });

  test("drafts the server handled are answered", () => {
    const data = { doc: "d", segment: 3, base: 0, handled: [1] };
    const left = stillUnanswered([draft(1), draft(2)], data);
    assert.deepEqual(left.map((d) => d.number), [2]);
  });

  test("a draft typed on a version of this segment that a save replaced is let go", () => {
    const sent = [draft(1, 0), draft(2, 1), draft(3, 0, 4)];
    const left = stillUnanswered(sent, { doc: "d", segment: 3, base: 1 });
    assert.deepEqual(left.map((d) => d.number), [2, 3]); // another segment's stays
  });
});

describe("newestPerSegment", () => {
  const draft = (number, segment = 3, doc = "d") => ({
    doc,
    segment,
    base: 0,
    text: `t${number}`,
    number,
  });

  test("text typed over is never sent again: the newest of a segment stays, in order", () => {
    const left = newestPerSegment([draft(1), draft(2, 4), draft(3), draft(4, 3, "e")]);
    assert.deepEqual(left.map((d) => d.number), [2, 3, 4]); // other segments, documents stay
  });

  test("by number, not by place: a page's older draft met after a newer one goes", () => {
    assert.deepEqual(newestPerSegment([draft(7), draft(5)]).map((d) => d.number), [7]);
  });
});
