// @ts-check
// mtreview review component, part 6 of 6: the open segment, page keys, the entry point
// (the module's default export, which Streamlit calls for each mounted instance).
// (Streamlit components v2 loads one inline module and no build step is run:
// components.py joins the six parts in import order and drops their relative imports.)
// Every text from a document or a reviewer is put in the page with textContent: never HTML.
//
// A span is stored only as it was on screen: the selection is read at mouse-up from the
// nodes drawn here, this component never redraws while the mouse button is down (new
// data waits for the mouse-up), and what was read is shown back at once, in the picker.
// What is typed in the picker is the reviewer's draft (review_marks.js): a segment drawn
// with one opens its picker again. Ctrl+Z outside a text box asks the server to undo the
// session's last action.

import { counterpart, cpLength, cpToUtf16, snapSpan, tokens, utf16ToCp } from "./review_text.js";
import { buildPicker, el, isTyping } from "./review_picker.js";
import { ArticleView, renderText } from "./review_article.js";
import {
  CorrectionBox,
  boxKey,
  correctionBox,
  dataArrived,
  nextNumber,
  segmentViews,
  watchDrafts,
} from "./review_draft.js";
import { MarkDrafts, isUndoKey, markToOpen, typedIn, watchMarks } from "./review_marks.js";

/** @typedef {import("./review_text.js").Span} Span */
/** Where a span sits in the correction box (`live`: the box's text, or the segment's
 * when no box is on screen; `at`: UTF-16 offsets in it, null when the words are gone).
 * @typedef {{box: HTMLTextAreaElement | null, live?: string,
 *   at: {start: number, end: number} | null}} Place */

const HEADER_PX = 72; // Streamlit's fixed header (60 px) plus some air
const FOCUS_WATCH_TICKS = 50; // C: a redraw within 5 s (50 x 100 ms) keeps the box focused

/** Code-point offset of a DOM boundary (node, offset) inside `root`.
 * @param {HTMLElement} root
 * @param {Node} node
 * @param {number} offset
 * @param {number} total
 * @returns {number} */
function boundaryOffset(root, node, offset, total) {
  if (!root.contains(node)) {
    const position = root.compareDocumentPosition(node);
    return position & Node.DOCUMENT_POSITION_PRECEDING ? 0 : total;
  }
  if (node.nodeType === Node.TEXT_NODE) {
    /** @type {HTMLElement} */
    const holder = node.parentElement.closest("[data-cp]");
    return Number(holder.dataset.cp) + utf16ToCp(node.textContent, offset);
  }
  const children = /** @type {HTMLElement[]} */ (Array.from(node.childNodes));
  const next = children[offset];
  if (next && next.nodeType === Node.ELEMENT_NODE && next.dataset.cp !== undefined) {
    return Number(next.dataset.cp);
  }
  return offset >= children.length ? total : 0;
}

/** Scroll `node` into view below Streamlit's fixed header, only when it is not in view.
 * @param {HTMLElement | null} node */
function keepInView(node) {
  if (!node || !node.isConnected) return;
  const rect = node.getBoundingClientRect();
  if (rect.top >= HEADER_PX && rect.bottom <= window.innerHeight - 8) return;
  node.style.scrollMarginTop = `${HEADER_PX + 8}px`;
  node.style.scrollMarginBottom = "16px";
  node.scrollIntoView({ block: rect.top < HEADER_PX ? "start" : "nearest" });
}

/** @param {MtrHelp} help */
function helpOverlay(help) {
  const overlay = document.createElement("div");
  overlay.className = "mtr-help";
  overlay.setAttribute("role", "dialog");
  overlay.setAttribute("aria-label", "Keyboard shortcuts");
  overlay.tabIndex = -1;
  const table = document.createElement("table");
  /** @param {string} key
   * @param {string} what */
  const row = (key, what) => {
    const tr = document.createElement("tr");
    const k = document.createElement("td");
    k.appendChild(document.createElement("kbd")).textContent = key;
    tr.appendChild(k);
    tr.appendChild(document.createElement("td")).textContent = what;
    table.appendChild(tr);
  };
  overlay.appendChild(document.createElement("h4")).textContent = "Keyboard shortcuts";
  for (const [key, what] of help.keys || []) row(key, what);
  for (const s of help.severities || []) row(s.key, `severity: ${s.label} (in the picker)`);
  for (const c of help.categories || []) if (c.key) row(c.key, `${c.label} (in the picker)`);
  overlay.appendChild(table);
  overlay.appendChild(document.createElement("p")).textContent = "? or Esc closes this list.";
  overlay.addEventListener("click", () => overlay.remove());
  overlay.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Escape" || event.key === "?") overlay.remove();
  });
  return overlay;
}

export class SegmentView {
  /** @param {HTMLElement} parent */
  constructor(parent) {
    this.root = el("div", "mtr-root mtr-segment-root");
    this.text = el("div", "mtr-segment");
    this.text.tabIndex = 0;
    this.text.setAttribute("role", "textbox");
    this.text.setAttribute("aria-readonly", "true");
    this.text.setAttribute(
      "aria-label",
      "Segment text: select words with the mouse, or arrows and Shift+arrows, then Enter",
    );
    this.hint = el("div", "mtr-hint");
    this.root.append(this.text, this.hint);
    parent.appendChild(this.root);
    /** @type {MtrSegmentData | null} */
    this.data = null;
    /** @type {MtrComponent | null} */
    this.component = null;
    this.sig = "";
    this.dragging = false;
    /** @type {MtrSegmentData | null} */
    this.deferred = null;
    /** @type {Span | null} */
    this.sel = null; // {start, end, text} in code points: the span waiting for a category
    /** @type {{anchor: number, focus: number} | null} */
    this.keys = null; // {anchor, focus} token indices of a keyboard selection
    /** @type {import("./review_picker.js").Picker | null} */
    this.picker = null;
    this.saving = false;
    /** @type {{category?: string, severity?: string} | null} */
    this.choice = null;
    this.refocus = false;
    // the error typed in the picker, kept as the reviewer's draft
    this.marks = new MarkDrafts({
      read: () => this.pickerState(),
      saving: () => this.saving,
      dragging: () => this.dragging,
      connected: () => this.connected(),
    });
    this.text.addEventListener("mousedown", (event) => {
      if (event.button === 0) this.dragging = true;
    });
    // the editor page keys (M, C) act on: the one last used, when a page has several
    this.root.addEventListener("mousedown", () => touch(this), true);
    this.root.addEventListener("focusin", () => touch(this), true);
    this.onMouseUp = () => this.mouseUp();
    document.addEventListener("mouseup", this.onMouseUp, true);
    this.text.addEventListener("keydown", (event) => this.keyDown(event));
  }

  connected() {
    if (this.root.isConnected) return true;
    document.removeEventListener("mouseup", this.onMouseUp, true);
    return false;
  }

  /** @param {MtrComponent} component
   * @param {MtrSegmentData} data */
  update(component, data) {
    this.component = component;
    this.marks.update(component, data);
    const sig = JSON.stringify(data);
    if (sig === this.sig) return;
    if (this.dragging) {
      this.deferred = data; // never redraw under the mouse: after mouse-up
      return;
    }
    this.apply(data);
  }

  /** @param {MtrSegmentData} data */
  apply(data) {
    const previous = this.data;
    const same =
      previous !== null &&
      previous.doc === data.doc &&
      previous.segment === data.segment &&
      previous.text === data.text;
    // the text takes the focus back after an error is saved, unless the reviewer has
    // gone to type somewhere meanwhile (C pressed before the save's redraw came)
    const typing = isTyping(document.activeElement);
    const hadFocus = this.root.contains(document.activeElement) || (this.refocus && !typing);
    this.refocus = false;
    // another segment drawn: what was typed in the picker stays the reviewer's draft
    if (!same && this.picker && !this.saving) this.marks.send(this.pickerState());
    this.data = data;
    this.sig = JSON.stringify(data);
    if (!same || this.saving) this.reset();
    if (data.defaults && (!same || !this.choice)) this.choice = { ...data.defaults };
    this.hint.textContent = data.hint || "";
    this.draw();
    if (!same) this.reopen();
    // One of several editors on a page (`several`) comes into view only after it was used.
    const moved = !same || previous.focus_token !== data.focus_token;
    if (moved && (!data.several || (same && lastTouched === this))) keepInView(this.text);
    if (hadFocus && !this.picker) this.text.focus({ preventScroll: true });
  }

  /** The picker's error now, as its draft is sent (null: no picker open).
   * @returns {import("./review_marks.js").MarkState | null} */
  pickerState() {
    if (!this.picker || !this.sel || !this.data) return null;
    const { category, severity, comment, fix } = this.picker.state();
    const { start, end, text } = this.sel;
    const { doc, segment } = this.data;
    return { doc, segment, start, end, text, category, severity, comment, fix };
  }

  /** Whether the open picker holds something the reviewer typed. */
  holdsTyping() {
    const state = this.pickerState();
    return Boolean(state) && typedIn(state);
  }

  /** Whether the picker has the focus (the box's drafts wait then: review_draft.js). */
  pickerFocused() {
    return Boolean(this.picker) && this.picker.element.contains(document.activeElement);
  }

  // A segment just drawn: its picker opens again with the error the reviewer began in it
  // (their draft), without taking the focus.
  reopen() {
    const kept = markToOpen(this.marks.waiting, this.data, cpLength(this.data.text));
    if (!kept) return;
    const text = Array.from(this.data.text).slice(kept.start, kept.end).join("");
    this.sel = { start: kept.start, end: kept.end, text };
    this.keys = null;
    this.draw();
    this.openPicker(kept);
  }

  reset() {
    if (this.picker) this.picker.element.remove();
    this.picker = null;
    this.sel = null;
    this.keys = null;
    this.saving = false;
  }

  draw() {
    const marks = (this.data.marks || []).slice();
    if (this.sel) {
      marks.push({ start: this.sel.start, end: this.sel.end, kind: "pending", label: "" });
    }
    renderText(this.text, this.data.text, marks);
    this.text.classList.toggle("mtr-saving", this.saving);
  }

  readSelection() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!this.text.isConnected || !range.intersectsNode(this.text)) return null;
    const text = this.data.text;
    const total = cpLength(text);
    const a = boundaryOffset(this.text, range.startContainer, range.startOffset, total);
    const b = boundaryOffset(this.text, range.endContainer, range.endOffset, total);
    return snapSpan(text, Math.min(a, b), Math.max(a, b));
  }

  mouseUp() {
    if (!this.connected() || !this.dragging) return;
    this.dragging = false;
    const span = this.saving ? null : this.readSelection();
    if (span) {
      window.getSelection().removeAllRanges();
      this.sel = span;
      this.keys = null;
      this.draw();
      this.openPicker();
    } else if (
      this.picker &&
      !this.saving &&
      window.getSelection().isCollapsed &&
      !this.holdsTyping()
    ) {
      this.cancel(); // a plain click in the text drops the span waiting for a category
    }
    if (this.deferred) {
      const data = this.deferred;
      this.deferred = null;
      this.apply(data);
    }
  }

  /** @param {number} anchor
   * @param {number} focus */
  selectTokens(anchor, focus) {
    const all = tokens(this.data.text);
    if (!all.length) return;
    const clamp = (/** @type {number} */ i) => Math.max(0, Math.min(all.length - 1, i));
    this.keys = { anchor: clamp(anchor), focus: clamp(focus) };
    const first = all[Math.min(this.keys.anchor, this.keys.focus)];
    const last = all[Math.max(this.keys.anchor, this.keys.focus)];
    const chars = Array.from(this.data.text);
    this.sel = {
      start: first.start,
      end: last.end,
      text: chars.slice(first.start, last.end).join(""),
    };
    this.draw();
  }

  /** @param {KeyboardEvent} event */
  keyDown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || this.saving) return;
    const key = event.key;
    if (this.picker) {
      // a picker left open (the reviewer's draft of an error, opened again): Enter goes
      // into it, Esc gives it up; the span it holds stays
      if (key === "Enter" || key === " ") {
        event.preventDefault();
        event.stopPropagation();
        this.picker.focus();
      } else if (key === "Escape") {
        event.stopPropagation();
        this.cancel();
      }
      return;
    }
    const count = tokens(this.data.text).length;
    const k = this.keys || { anchor: -1, focus: -1 };
    let target = null;
    if (key === "ArrowRight") target = this.keys ? k.focus + 1 : 0;
    else if (key === "ArrowLeft") target = this.keys ? k.focus - 1 : 0;
    else if (key === "Home") target = 0;
    else if (key === "End") target = count - 1;
    if (target !== null) {
      event.preventDefault();
      event.stopPropagation();
      const anchor = event.shiftKey && this.keys ? k.anchor : target;
      this.selectTokens(anchor, target);
      return;
    }
    if ((key === "Enter" || key === " ") && this.sel) {
      event.preventDefault();
      event.stopPropagation();
      this.openPicker();
    } else if (key === "Escape" && this.sel) {
      event.stopPropagation();
      this.cancel();
    }
  }

  /** Where a span of the machine translation sits in the correction box as it is now.
   * @param {{start: number, end: number}} span
   * @returns {Place} */
  placeInBox(span) {
    const box = correctionBox(this.data.box_key);
    const live = box ? box.value : this.data.current_text || this.data.text;
    const text = this.data.text;
    const at = counterpart(text, live, cpToUtf16(text, span.start), cpToUtf16(text, span.end));
    return { box, live, at };
  }

  /** Open the picker on the span selected: a new error, or (`kept`) the reviewer's draft
   * of one, opened again without taking the focus. Another selection replaces an error
   * begun before (its draft ends with it).
   * @param {import("./review_marks.js").KeptMark | null} [kept] */
  openPicker(kept = null) {
    if (!this.sel) return;
    if (this.picker) {
      this.marks.discard();
      this.picker.element.remove();
    }
    const place = this.placeInBox(this.sel);
    const data = this.data;
    const choice = kept ? { category: kept.category, severity: kept.severity } : this.choice;
    this.picker = buildPicker({
      categories: data.categories || [],
      severities: data.severities || [],
      choice: choice || {},
      span: this.sel,
      fix: place.at ? place.live.slice(place.at.start, place.at.end) : null,
      typed: kept ? { fix: kept.fix, comment: kept.comment } : undefined,
      onCommit: (picked) => this.commit(picked, place),
      onCancel: () => this.cancel(),
      onHelp: () => toggleHelp(),
      onChange: () => this.marks.changed(),
    });
    this.marks.opened(kept);
    const element = this.picker.element;
    element.addEventListener("focusout", (event) => {
      const to = /** @type {Node | null} */ (event.relatedTarget);
      if (!(to && element.contains(to))) this.marks.send(); // leaving it keeps it at once
    });
    element.style.top = `${this.text.offsetTop + this.text.offsetHeight + 6}px`;
    this.root.appendChild(element);
    if (kept) return;
    this.picker.focus();
    keepInView(element);
  }

  /** @param {import("./review_picker.js").Picked} choice
   * @param {Place} place */
  commit(choice, place) {
    if (this.saving || !this.sel) return;
    this.choice = { category: choice.category, severity: choice.severity };
    const text = this.data.text;
    let correction = null;
    if (choice.fix !== null && place.at) {
      correction =
        place.live.slice(0, place.at.start) + choice.fix + place.live.slice(place.at.end);
    }
    this.saving = true;
    const drafted = this.marks.added(this.data.doc, this.data.segment); // the add ends it
    this.refocus = this.root.contains(document.activeElement); // back to the text when saved
    this.picker.busy();
    this.draw();
    this.component.setTriggerValue("add", {
      id: `${Date.now()}-${Math.random().toString(36).slice(2)}`, // sent once, handled once
      number: nextNumber(), // a draft of the picker sent before it comes too late
      drafted,
      doc: this.data.doc,
      segment: this.data.segment,
      start: this.sel.start,
      end: this.sel.end,
      text: this.sel.text,
      utf16_start: cpToUtf16(text, this.sel.start),
      utf16_end: cpToUtf16(text, this.sel.end),
      category: choice.category,
      severity: choice.severity,
      comment: choice.comment,
      correction,
    });
  }

  cancel() {
    const keyboard = this.picker && this.root.contains(document.activeElement);
    this.marks.discard(); // given up: its draft too
    this.reset();
    this.draw();
    if (keyboard) this.text.focus({ preventScroll: true });
  }

  // Ctrl+Z: the server takes the session's last action back.
  undo() {
    if (!this.component || this.saving) return;
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`; // handled once
    this.component.setTriggerValue("undo", { id, number: nextNumber() });
  }

  focusText() {
    this.text.focus({ preventScroll: true });
    keepInView(this.text);
    if (!this.sel) this.selectTokens(0, 0);
  }

  // C: the correction box, with the words of the marked (or last marked) span selected.
  // Pressed while the page is being drawn again, it waits for the box (up to two seconds),
  // and for five seconds a redraw that takes the focus from the box (replacing or moving
  // it) gives it back (unless the reviewer has moved on: the focus is then somewhere else).
  focusCorrection(tries = 20, watch = FOCUS_WATCH_TICKS) {
    this.refocus = false; // the reviewer moved on: a late redraw keeps the focus here
    const span = this.sel || this.data.last_mark;
    const place = span
      ? this.placeInBox(span)
      : /** @type {Place} */ ({ box: correctionBox(this.data.box_key), at: null });
    if (!place.box) {
      if (tries > 0) setTimeout(() => this.focusCorrection(tries - 1, watch), 100);
      return;
    }
    place.box.focus({ preventScroll: true });
    if (place.at) place.box.setSelectionRange(place.at.start, place.at.end);
    keepInView(place.box);
    this.keepCorrectionFocus(place.box, watch);
  }

  // The box loses the focus to nobody (the page) when a redraw replaces it or moves it in
  // the page; the focus then goes back to the box. Anywhere else, the reviewer moved on.
  /** @param {HTMLTextAreaElement} box @param {number} ticks @param {number} since */
  keepCorrectionFocus(box, ticks, since = performance.now()) {
    if (ticks <= 0) return;
    setTimeout(() => {
      if (pointerAt > since) return; // a click put the focus where the reviewer wanted it
      const focused = document.activeElement;
      if (focused && focused !== document.body) {
        if (focused === box) this.keepCorrectionFocus(box, ticks - 1, since);
        return;
      }
      this.focusCorrection(20, ticks - 1);
    }, 100);
  }
}

/** @type {MtrHelp | null} */
let helpData = null;
let pointerAt = 0; // when the reviewer last pressed a mouse button or touched the page

function toggleHelp() {
  const open = document.querySelector(".mtr-help");
  if (open) {
    open.remove();
    return;
  }
  if (!helpData) return;
  const overlay = helpOverlay(helpData);
  document.body.appendChild(overlay);
  overlay.focus({ preventScroll: true });
}

/** @type {SegmentView | null} */
let lastTouched = null; // the segment editor last clicked or focused in

/** @param {SegmentView} view */
function touch(view) {
  lastTouched = view;
}

// The editor the page keys act on: the one last used; else, of several on a page, the
// first; else the last drawn (the only one outside the comparison view).
function activeSegment() {
  const views = segmentViews();
  if (views.includes(lastTouched)) return lastTouched;
  const several = views.filter((view) => view.data?.several);
  if (several.length) {
    const FOLLOWING = Node.DOCUMENT_POSITION_FOLLOWING;
    /** @param {SegmentView} a
     * @param {SegmentView} b */
    const before = (a, b) => a.root.compareDocumentPosition(b.root) & FOLLOWING;
    return several.sort((a, b) => (before(a, b) ? -1 : 1))[0];
  }
  return views.pop() || null;
}

// Page keys that are not Streamlit buttons: the correction box's (Ctrl+S saves,
// Ctrl+Shift+Enter marks reviewed: review_draft.js), Ctrl+Z (undo, outside a text box: in
// one it is the box's own undo), ? (help), M (mark from the keyboard), C (the correction box).
/** @param {KeyboardEvent} event */
function pageKey(event) {
  const key = event.key;
  if (boxKey(event)) return;
  const target = /** @type {HTMLElement} */ (event.target);
  const inField = isTyping(target) || Boolean(target.closest?.(".mtr-picker"));
  if (isUndoKey(event) && !inField && !event.defaultPrevented) {
    const undoing = activeSegment();
    if (!undoing) return;
    event.preventDefault();
    event.stopPropagation();
    if (!event.repeat) undoing.undo();
    return;
  }
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (inField) return;
  const view = activeSegment();
  if (key === "Escape" && document.querySelector(".mtr-help")) {
    toggleHelp();
  } else if (key === "?") {
    event.preventDefault();
    toggleHelp();
  } else if (view && (key === "m" || key === "M") && !view.picker) {
    event.preventDefault();
    view.focusText();
  } else if (view && (key === "c" || key === "C") && !view.picker) {
    event.preventDefault();
    view.focusCorrection();
  }
}

// What each mounted instance draws, by its data's `mode`.
/** @type {Record<string, new (parent: HTMLElement) => MtrView>} */
const VIEWS = { article: ArticleView, segment: SegmentView, box: CorrectionBox };

/** Streamlit calls this for each instance, when it is mounted and when its data change.
 * @param {MtrComponent} component
 * @returns {undefined} */
export default function (component) {
  const { data, parentElement } = component;
  if (!window.__mtreviewKeys) {
    window.__mtreviewKeys = true;
    window.addEventListener("keydown", pageKey, true);
    window.addEventListener("pointerdown", () => (pointerAt = performance.now()), true);
  }
  if (!data) return undefined;
  dataArrived();
  watchDrafts();
  watchMarks();
  let view = parentElement.__mtreview;
  const kind = VIEWS[data.mode];
  if (!kind) return undefined;
  if (!(view instanceof kind) || !view.root.isConnected) {
    for (const old of parentElement.querySelectorAll(":scope > .mtr-root")) old.remove();
    view = new kind(parentElement);
    parentElement.__mtreview = view;
    if (view instanceof SegmentView) {
      window.__mtreviewSegments = [...(window.__mtreviewSegments || []), view].filter((v) =>
        v.connected(),
      );
    }
  }
  if (data.help) helpData = data.help;
  // each kind of view takes the data of its own mode
  const shown = /** @type {{update(component: MtrComponent, data: MtrData): void}} */ (view);
  shown.update(component, data);
  return undefined;
}
