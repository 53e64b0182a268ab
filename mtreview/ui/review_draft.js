// @ts-check
// mtreview review component, part 4 of 6: the correction box and its drafts.
// The box (its text, "Save correction", "Reviewed, no change" and the draft line under
// them) is drawn here, so typing never reruns the page (issue 15) and what is typed lives
// in this part, never read back from Streamlit's page. Save and "Reviewed, no change" go
// to the server as events carrying the box's text. What is typed and not saved goes as the
// reviewer's draft: after a pause in typing, when the box loses focus, when the tab is
// hidden, and before a reload or close (warning then if the text may not have reached the
// server). It never sends while the mouse is down in the segment's text, a picker has the
// focus or an error is being saved, so no rerun starts under a drag. (A picker left open
// without the focus, as one opened again with the reviewer's draft of an error, does not
// hold the box's drafts back.) A click elsewhere (the
// article, a button) sends it at mouse-down, ahead of the click's own rerun. Streamlit can
// drop a trigger when a newer request cuts its run short, so each page says which draft
// numbers the server has handled and the box sends again what it has not.

import { el, isTyping } from "./review_picker.js";

/** A draft as sent to the server (`base`: the version it was typed on).
 * @typedef {{doc: string, segment: number, base: number, text: string, number: number}} Draft */
/** A draft sent and not yet handled, with the sends so far (and its reviewer, when it
 * was left by the page before a reload).
 * @typedef {Draft & {tries: number, reviewer?: string}} SentDraft */
/** What this page last knew of one box: the text the server gave it, the text in it then.
 * @typedef {{given: string, typed: string}} Typed */
/** The keys of a key press that a shortcut is matched against.
 * @typedef {{key: string, ctrlKey: boolean, metaKey: boolean, shiftKey: boolean,
 *   altKey: boolean}} KeyPress */

const LABEL = "Corrected segment";
const DRAFT_PAUSE_MS = 1500; // typing paused this long: keep what is there
const DRAFT_RETRY_MS = 250; // busy (mouse down, picker open): look again this often
const SETTLE_MS = 600; // no new data for any part this long: the page's run is taken as over
const DRAFT_TRIES = 3; // sends of one draft the server never answers before giving it up
const UNSENT = "mtreview-unsent-drafts"; // sessionStorage: drafts a reload may have cut off

let draftNumber = Date.now() * 1000; // events sent from this page, in order (reloads too)

/** The next number of an event sent from this page (the picker's events count with the
 * box's: no two events of a page share a number).
 * @returns {number} */
export function nextNumber() {
  draftNumber += 1;
  return draftNumber;
}
let boxCount = 0; // boxes made on this page: each label names its own box

// ---- pure helpers (tests/js) ----

/** The text the box shows when the server's data arrive. `remembered`: what this page
 * last knew of the box with these data's key (the server's text then, and what was in the
 * box), null when it never showed it; `current`: the box's text when it showed another
 * version of the same segment (null otherwise); `saving`: the text this box last sent to be
 * saved. Typing is never overwritten: the server's text is taken only where the reviewer
 * has typed nothing since it came, or where a save moved the box on (then what was typed
 * after the save was sent stays).
 * @param {{incoming: string, remembered: Typed | null, current: string | null,
 *   saving: string | null}} state
 * @returns {string} */
export function boxText({ incoming, remembered, current, saving }) {
  if (remembered) return remembered.typed === remembered.given ? incoming : remembered.typed;
  if (current !== null && saving !== null && current !== saving) return current;
  return incoming;
}

/** Whether a key press is `shortcut` ("Ctrl+S", "Ctrl+Shift+Enter": the form
 * shortcuts.py writes for Streamlit's buttons; Ctrl, Cmd, Meta and Mod are one modifier).
 * @param {KeyPress} press
 * @param {string | null | undefined} shortcut
 * @returns {boolean} */
export function matchesShortcut(press, shortcut) {
  if (!shortcut) return false;
  const parts = shortcut.split("+").map((part) => part.trim().toLowerCase());
  const key = parts.pop();
  const ctrl = ["cmd", "meta", "mod"];
  const wants = new Set(parts.map((part) => (ctrl.includes(part) ? "ctrl" : part)));
  if (wants.has("option")) wants.add("alt");
  const held = {
    ctrl: press.ctrlKey || press.metaKey,
    shift: press.shiftKey,
    alt: press.altKey,
  };
  for (const [name, down] of Object.entries(held)) if (down !== wants.has(name)) return false;
  const pressed = press.key.toLowerCase();
  return pressed === key || (key === "esc" && pressed === "escape");
}

/** A shortcut as a button shows it: Apple's signs on a Mac, else as written.
 * @param {string} shortcut
 * @param {boolean} mac
 * @returns {string} */
export function shortcutLabel(shortcut, mac) {
  if (!mac) return shortcut;
  /** @type {Record<string, string>} */
  const signs = { ctrl: "⌘", cmd: "⌘", meta: "⌘", mod: "⌘", shift: "⇧", alt: "⌥", option: "⌥" };
  const signed = shortcut.split("+").map((part) => {
    const name = part.trim().toLowerCase();
    return signs[name] || (name === "enter" ? "↵" : part.trim());
  });
  return signed.join("");
}

/** The drafts still waiting for the server once new data arrive: those not handled, and
 * not typed on a version of the data's segment that a save has replaced since.
 * @template {Draft} D
 * @param {D[]} unanswered
 * @param {{doc: string, segment: number, base: number, handled?: number[]}} data
 * @returns {D[]} */
export function stillUnanswered(unanswered, data) {
  const handled = data.handled || [];
  return unanswered.filter(
    (d) =>
      !handled.includes(d.number) &&
      !(d.doc === data.doc && d.segment === data.segment && d.base !== data.base),
  );
}

/** Of one reviewer's drafts sent and not answered (the box's, or the picker's), those
 * still worth sending: the newest of each segment, in the order given. An older one is
 * text typed over since; sent again from the next page, to a server session that never
 * saw the newer one, it would replace the newer draft in the store, and that page's box
 * would show it.
 * @template {{doc: string, segment: number, number: number}} D
 * @param {D[]} drafts
 * @returns {D[]} */
export function newestPerSegment(drafts) {
  /** @param {D} d */
  const segment = (d) => JSON.stringify([d.doc, d.segment]);
  /** @type {Map<string, D>} */
  const newest = new Map();
  for (const d of drafts) {
    const kept = newest.get(segment(d));
    if (!kept || d.number > kept.number) newest.set(segment(d), d);
  }
  return drafts.filter((d) => newest.get(segment(d)) === d);
}

// ---- the page around the boxes ----

/** The segment editors on the page now (review.js registers them): the boxes wait
 * while one is busy (mouse down, picker open, error being saved).
 * @returns {import("./review.js").SegmentView[]} */
export function segmentViews() {
  return (window.__mtreviewSegments || []).filter((view) => view.connected());
}

/** The correction boxes on the page now: one, or one for each translation (the
 * comparison view).
 * @returns {CorrectionBox[]} */
export function correctionBoxes() {
  return (window.__mtreviewBoxes || []).filter((box) => box.connected());
}

/** The text area of the box with key `key`; without one, the page's one box (the
 * document view's).
 * @param {string | null | undefined} key
 * @returns {HTMLTextAreaElement | null} */
export function correctionBox(key = null) {
  const boxes = correctionBoxes();
  const box = key
    ? boxes.find((b) => b.data?.key === key)
    : boxes.filter((b) => !b.data?.several).pop();
  return box ? box.area : null;
}

/** Any part of the component got data: the page's run is drawing. */
export function dataArrived() {
  window.__mtreviewDataAt = performance.now();
}

/** Whether the page's run looks over: no part got data for a while. */
export function settled() {
  return performance.now() - (window.__mtreviewDataAt || 0) >= SETTLE_MS;
}

/** @returns {Map<string, Typed>} */
function typedTexts() {
  if (!window.__mtreviewTyped) window.__mtreviewTyped = new Map();
  return window.__mtreviewTyped;
}

export class CorrectionBox {
  /** @param {HTMLElement} parent */
  constructor(parent) {
    boxCount += 1;
    this.root = el("div", "mtr-root mtr-box");
    const label = el("label", "mtr-box-label", LABEL);
    this.area = el("textarea", "mtr-box-text");
    this.area.id = label.htmlFor = `mtr-box-${boxCount}`;
    this.area.setAttribute("aria-label", LABEL);
    this.area.rows = 4;
    const actions = el("div", "mtr-box-actions");
    this.saveButton = el("button", "mtr-box-save");
    this.reviewedButton = el("button", "mtr-box-reviewed");
    for (const button of [this.saveButton, this.reviewedButton]) button.type = "button";
    actions.append(this.saveButton, this.reviewedButton);
    this.line = el("div", "mtr-draft");
    this.line.setAttribute("aria-live", "polite");
    this.note = el("span", "mtr-draft-note");
    this.discard = el("button", "mtr-draft-discard", "Discard draft");
    this.discard.type = "button";
    this.line.append(this.note, this.discard);
    this.root.append(label, this.area, actions, this.line);
    parent.appendChild(this.root);
    /** @type {MtrBoxData | null} */
    this.data = null;
    /** @type {MtrComponent | null} */
    this.component = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null; // the pause in typing
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retry = null; // a draft waiting for the mouse or the picker
    /** @type {Draft | null} */
    this.pending = null; // that draft, taken from the box when it was due
    /** @type {string | null} */
    this.sent = null; // the text last sent as a draft, until the server's answer comes back
    /** @type {string | null} */
    this.saving = null; // the text last sent to be saved, until the server's answer
    /** @type {SentDraft[]} */
    this.unanswered = []; // drafts sent, not yet handled by the server (oldest first)
    this.area.addEventListener("input", () => {
      this.remember();
      this.typing();
    });
    this.area.addEventListener("focusout", (event) => {
      // focus moving to the box's own buttons: their click sends the text itself (and a
      // pause still keeps it if no click comes)
      const to = /** @type {Node | null} */ (event.relatedTarget);
      if (to && this.root.contains(to)) return;
      this.send();
    });
    this.saveButton.addEventListener("click", () => this.act("save"));
    this.reviewedButton.addEventListener("click", () => this.act("reviewed"));
    this.discard.addEventListener("click", () => this.drop());
  }

  connected() {
    return this.root.isConnected;
  }

  /** @param {MtrComponent} component
   * @param {MtrBoxData} data */
  update(component, data) {
    this.component = component;
    const previous = this.data;
    const sameSegment =
      previous !== null && previous.doc === data.doc && previous.segment === data.segment;
    const moved = !sameSegment || previous.base !== data.base;
    if (previous && !sameSegment) {
      this.send(true); // the segment left behind keeps what was typed in it
    }
    if (moved) this.stop();
    const current = previous && sameSegment && moved ? this.area.value : null;
    this.data = data;
    const remembered = typedTexts().get(this.memoKey()) || null;
    const text = boxText({ incoming: this.kept(), remembered, current, saving: this.saving });
    this.saving = null;
    if (this.area.value !== text) this.area.value = text; // (an equal one keeps the caret)
    typedTexts().set(this.memoKey(), { given: this.kept(), typed: text });
    this.drawButtons();
    window.__mtreviewBoxes = [...correctionBoxes().filter((b) => b !== this), this];
    this.takeUnsent();
    this.unanswered = stillUnanswered(this.unanswered, data);
    if (moved || !this.unanswered.length) this.sent = null; // the server has answered
    // text the server does not hold yet (typed after a save was sent, or in a box drawn
    // again): kept after the usual pause
    if (this.unkept() && !this.timer && this.area.value !== this.sent) this.typing();
    this.show();
    const again = this.unanswered.find((d) => d.tries < DRAFT_TRIES);
    if (again && !this.pending) {
      // a run ended without it: send it again once the page has settled
      setTimeout(() => this.resend(again), DRAFT_RETRY_MS);
    }
  }

  // This page's record of the box now shown: per reviewer, document and box key (the key
  // names the segment and the version the box edits).
  memoKey() {
    const { reviewer, doc, key } = this.data;
    return JSON.stringify([reviewer, doc, key]);
  }

  remember() {
    if (!this.data) return;
    const memo = typedTexts().get(this.memoKey());
    const given = memo ? memo.given : this.kept();
    typedTexts().set(this.memoKey(), { given, typed: this.area.value });
  }

  drawButtons() {
    // one of several boxes on a page takes its shortcuts only while it has the focus:
    // its buttons show none
    const keys = this.data.several ? {} : this.data.shortcuts || {};
    const mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
    /** @type {[HTMLButtonElement, string, string | undefined][]} */
    const buttons = [
      [this.saveButton, "Save correction", keys.save],
      [this.reviewedButton, "Reviewed, no change", keys.reviewed],
    ];
    for (const [button, label, shortcut] of buttons) {
      button.textContent = label;
      if (shortcut) {
        button.append(" ", el("kbd", "mtr-box-key", shortcutLabel(shortcut, mac)));
        button.setAttribute("aria-keyshortcuts", shortcut.replace(/\bCtrl\b/, "Control"));
      } else {
        button.removeAttribute("aria-keyshortcuts");
      }
    }
  }

  // What the page before a reload left in this tab's storage, for this reviewer: sent
  // again from here (the server lets a draft through once).
  takeUnsent() {
    let left = [];
    try {
      left = JSON.parse(sessionStorage.getItem(UNSENT) || "[]");
      sessionStorage.removeItem(UNSENT);
    } catch {
      return;
    }
    for (const draft of left) {
      if (draft.reviewer === this.data.reviewer) this.unanswered.push({ ...draft, tries: 0 });
    }
    this.unanswered = newestPerSegment(this.unanswered);
  }

  // The page is going: what may not have reached the server, to wait in this tab's
  // storage (`leaveUnsent`).
  unsent() {
    const left = this.unanswered.map(({ tries, ...draft }) => draft);
    const text = this.area.value;
    if (this.unkept() && text !== this.sent) {
      const { doc, segment, base } = this.data;
      left.push({ doc, segment, base, text, number: nextNumber() });
    }
    const reviewer = this.data.reviewer;
    return newestPerSegment(left).map((d) => ({ ...d, reviewer }));
  }

  /** @param {SentDraft} draft */
  resend(draft) {
    if (!this.connected() || !this.unanswered.includes(draft)) return;
    if (this.busy() || !settled()) {
      // not into a run in progress (a new page's first run, a click's): a request that
      // cuts such a run short can undo what it was doing
      setTimeout(() => this.resend(draft), DRAFT_RETRY_MS);
      return;
    }
    draft.tries += 1;
    const { tries, reviewer, ...payload } = draft;
    this.component.setTriggerValue("draft", payload);
  }

  // What the server holds for this box: the reviewer's draft, or else the saved text.
  kept() {
    return typeof this.data.draft === "string" ? this.data.draft : this.data.saved;
  }

  unkept() {
    return Boolean(this.data) && this.area.value !== this.kept();
  }

  show() {
    if (!this.data) return;
    const hasDraft = typeof this.data.draft === "string";
    if (this.unkept()) {
      this.note.textContent = "Not saved yet: kept as a draft when you pause or leave the box";
    } else {
      this.note.textContent = hasDraft ? this.data.note || "" : "";
    }
    this.discard.hidden = !hasDraft;
  }

  typing() {
    this.stop();
    this.timer = setTimeout(() => this.send(), DRAFT_PAUSE_MS);
    this.show();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  busy() {
    return segmentViews().some((view) => view.dragging || view.pickerFocused() || view.saving);
  }

  // Take the box's text as the draft, unless the server has it already; send it now or,
  // when busy, as soon as the mouse and the picker are done. `now`: the page is going.
  send(now = false) {
    this.stop();
    if (!this.connected() || !this.data) return;
    const text = this.area.value;
    if (text === (this.sent ?? this.kept())) {
      clearTimeout(this.retry); // what the server has, or is about to have
      this.pending = null;
      return;
    }
    const { doc, segment, base } = this.data;
    this.pending = { doc, segment, base, text, number: nextNumber() };
    this.flush(now);
  }

  flush(now = false) {
    clearTimeout(this.retry);
    this.retry = null;
    if (!this.pending) return;
    if (!now && this.busy()) {
      this.retry = setTimeout(() => this.flush(), DRAFT_RETRY_MS);
      return;
    }
    const draft = this.pending;
    this.pending = null;
    this.sent = draft.text;
    this.unanswered = newestPerSegment([...this.unanswered, { ...draft, tries: 1 }]);
    this.component.setTriggerValue("draft", draft);
  }

  /** Save, or mark reviewed, with the box's text: the event carries it, so no draft of it
   * goes out on the way.
   * @param {"save" | "reviewed"} name */
  act(name) {
    if (!this.data || !this.component) return;
    this.stop();
    clearTimeout(this.retry);
    this.pending = null;
    const text = this.area.value;
    if (name === "save") this.saving = text;
    const { doc, segment, base } = this.data;
    this.component.setTriggerValue(name, { doc, segment, base, text, number: nextNumber() });
  }

  // Back to the saved text; the server then forgets the draft.
  drop() {
    if (!this.data) return;
    this.area.value = this.data.saved;
    this.remember();
    this.send(true);
    this.show();
  }
}

// The box a save or reviewed shortcut acts on: the one holding the focus; else, with the
// focus in no text field, the page's one box that takes page-wide shortcuts.
/** @param {Element | null} focused */
function shortcutBox(focused) {
  const boxes = correctionBoxes();
  const holder = boxes.find((box) => focused && box.root.contains(focused));
  if (holder) return holder;
  if (isTyping(focused)) return null;
  const pageWide = boxes.filter((box) => box.data && !box.data.several);
  return pageWide.length === 1 ? pageWide[0] : null;
}

/** The page's key listener asks first: a box's save or reviewed shortcut (taken here,
 * then nothing else sees the key). Whether it was one.
 * @param {KeyboardEvent} event */
export function boxKey(event) {
  if (!(event.ctrlKey || event.metaKey)) return false;
  const box = shortcutBox(document.activeElement);
  if (!box || !box.data) return false;
  const keys = box.data.shortcuts || {};
  const name = matchesShortcut(event, keys.save)
    ? "save"
    : matchesShortcut(event, keys.reviewed)
      ? "reviewed"
      : null;
  if (!name) return false;
  event.preventDefault();
  event.stopPropagation();
  if (!event.repeat) box.act(name);
  return true;
}

// The page is going: what the boxes could not be sure the server has waits in this
// tab's storage, for the next page's boxes.
/** @param {CorrectionBox[]} going */
function leaveUnsent(going) {
  try {
    sessionStorage.setItem(UNSENT, JSON.stringify(going.flatMap((box) => box.unsent())));
  } catch {
    // storage full or off: the prompt and the send below are what is left
  }
}

// Page listeners, once: they reach whichever boxes are on the page now.
export function watchDrafts() {
  if (window.__mtreviewDraftWatch) return;
  window.__mtreviewDraftWatch = true;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") for (const box of correctionBoxes()) box.send(true);
  });
  window.addEventListener("beforeunload", (event) => {
    const going = correctionBoxes().filter((box) => box.unkept() || box.unanswered.length);
    if (!going.length) return;
    leaveUnsent(going);
    // most often it arrives; the browser asks whether to leave meanwhile
    for (const box of going) box.send(true);
    event.preventDefault();
    event.returnValue = "";
  });
}
