// Unit tests of the picker's drafts' pure helpers (mtreview/ui/review_marks.js): what counts
// as typed, which error a segment's picker opens with, the sends still waiting, Ctrl+Z.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  isUndoKey,
  markFields,
  markToOpen,
  stillWaiting,
  typedIn,
} from "../../mtreview/ui/review_marks.js";

const KEPT = { start: 3, end: 7, category: "Fluency/Grammar", severity: "minor", comment: "",
  fix: "chien" };
const DATA = { doc: "d", segment: 2, mark_draft: KEPT };

/** @param {object} fields */
function sent(fields) {
  return { doc: "d", segment: 2, number: 1, ...KEPT, ...fields };
}

describe("typedIn", () => {
  test("a fix or a comment is typed; a span and labels alone are not", () => {
    assert.equal(typedIn({ comment: "", fix: null }), false);
    assert.equal(typedIn({ comment: "  ", fix: null }), false);
    assert.equal(typedIn({ comment: "sens", fix: null }), true);
    assert.equal(typedIn({ comment: "", fix: "" }), true); // the words deleted: a fix too
  });
});

describe("markToOpen", () => {
  test("the server's draft, when nothing of this page's is waiting", () => {
    assert.deepEqual(markToOpen([], DATA, 20), KEPT);
    assert.equal(markToOpen([], { ...DATA, mark_draft: null }, 20), null);
  });

  test("this page's last send not handled yet wins over the server's copy", () => {
    const waiting = [sent({ number: 1, fix: "chat" }), sent({ number: 2, fix: "chats" })];
    assert.equal(markToOpen(waiting, { ...DATA, mark_draft: null }, 20).fix, "chats");
    assert.equal(markToOpen([...waiting, sent({ number: 3, discard: true })], DATA, 20), null);
    const elsewhere = [sent({ segment: 5, fix: "autre" })];
    assert.deepEqual(markToOpen(elsewhere, DATA, 20), KEPT); // another segment's
  });

  test("a span the segment cannot hold opens nothing", () => {
    assert.equal(markToOpen([], DATA, 6), null);
    assert.equal(markToOpen([], { ...DATA, mark_draft: { ...KEPT, start: 7 } }, 20), null);
  });
});

describe("sends", () => {
  test("the same error is the same draft, whatever else the send carries", () => {
    assert.equal(markFields(KEPT), markFields(sent({ number: 9, text: "chat" })));
    assert.notEqual(markFields(KEPT), markFields({ ...KEPT, comment: "x" }));
  });

  test("what the server handled stops waiting", () => {
    const waiting = [sent({ number: 1 }), sent({ number: 2 })];
    assert.deepEqual(stillWaiting(waiting, [2, 5]).map((s) => s.number), [1]);
    assert.equal(stillWaiting(waiting, undefined).length, 2);
  });
});

describe("isUndoKey", () => {
  const press = { key: "z", ctrlKey: true, metaKey: false, shiftKey: false, altKey: false };
  test("Ctrl+Z or Cmd+Z; never with Shift or Alt, never a plain z", () => {
    assert.equal(isUndoKey(press), true);
    assert.equal(isUndoKey({ ...press, key: "Z" }), true);
    assert.equal(isUndoKey({ ...press, ctrlKey: false, metaKey: true }), true);
    assert.equal(isUndoKey({ ...press, shiftKey: true }), false);
    assert.equal(isUndoKey({ ...press, altKey: true }), false);
    assert.equal(isUndoKey({ ...press, ctrlKey: false }), false);
  });
});
