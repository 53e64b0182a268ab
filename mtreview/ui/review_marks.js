// @ts-check
// mtreview review component, part 5 of 6: the error begun in the picker, kept as a draft.
// Once something is typed in the picker (its Correction or Comment field), the error being
// marked is the reviewer's draft, as the correction box's text is: it goes to the server
// after a pause in typing or picking, at once when the focus leaves the picker or the picker
// is dropped because another segment is drawn, when the tab is hidden, and before a reload
// or close (then it also waits in the tab's sessionStorage for the next page to send). The
// server keeps it per segment and reviewer, and the picker opens with it again on return, a
// reload or another server included. Esc or Cancel ends it, and so does adding the error.
// Each send has a number, counted with the box's; the page says which of the picker's
// numbers the server handled, and what it did not is sent again (three times at most). Ctrl+Z, the page's undo,
// is recognised here too (`isUndoKey`).

import { newestPerSegment, nextNumber, settled } from "./review_draft.js";

/** @typedef {import("./review_draft.js").KeyPress} KeyPress */
/** The error being marked in the picker, as sent: its segment, span (code points), the
 * marked words, labels, comment and the marked words as corrected (`fix`; null: not).
 * @typedef {{doc: string, segment: number, start: number, end: number, text: string,
 *   category: string | undefined, severity: string | undefined, comment: string,
 *   fix: string | null}} MarkState */
/** What the server keeps of it (the segment component's `mark_draft`).
 * @typedef {{start: number, end: number, category?: string, severity?: string,
 *   comment: string, fix: string | null}} KeptMark */
/** One send: the error as a draft, or its end (`discard`), with its number; `tries`: the
 * sends so far; `reviewer`: whose it is, when a page before a reload left it.
 * @typedef {{doc: string, segment: number, number: number, discard?: boolean,
 *   tries?: number, reviewer?: string, start?: number, end?: number, text?: string,
 *   category?: string, severity?: string, comment?: string, fix?: string | null}} MarkSend */
/** What a segment editor tells its drafts: the picker's error now (null: no picker open),
 * whether an error is being saved (nothing more goes then) or the mouse is down in the
 * text (sending waits), and whether the editor is still on the page.
 * @typedef {{read: () => MarkState | null, saving: () => boolean, dragging: () => boolean,
 *   connected: () => boolean}} MarkSource */

const MARK_PAUSE_MS = 1500; // typing or picking paused this long: keep the error
const MARK_RETRY_MS = 250; // the mouse is down, or the page's run is not over: look again
const MARK_TRIES = 3; // sends of one draft the server never answers before giving it up
const UNSENT_MARKS = "mtreview-unsent-marks"; // sessionStorage: sends a reload may cut off

// ---- pure helpers (tests/js) ----

/** Whether the picker holds something the reviewer typed: only such an error is a draft.
 * @param {{comment: string, fix: string | null}} state */
export function typedIn(state) {
  return state.fix !== null || state.comment.trim() !== "";
}

/** What makes two kept errors the same draft.
 * @param {KeptMark | MarkSend} mark
 * @returns {string} */
export function markFields(mark) {
  const { start, end, category, severity, comment, fix } = mark;
  return JSON.stringify([start, end, category, severity, comment, fix]);
}

/** The error a segment editor opens its picker with when the segment is drawn: this page's
 * last send for that segment that the server has not handled yet (a discard: none), else the
 * server's draft, when it still fits the segment's `length` code points.
 * @param {MarkSend[]} waiting
 * @param {{doc: string, segment: number, mark_draft?: KeptMark | null}} data
 * @param {number} length
 * @returns {KeptMark | null} */
export function markToOpen(waiting, data, length) {
  const mine = waiting.filter((s) => s.doc === data.doc && s.segment === data.segment);
  const last = mine.length ? mine[mine.length - 1] : null;
  if (last && last.discard) return null;
  /** @type {KeptMark | null} */
  const kept = last
    ? {
        start: Number(last.start),
        end: Number(last.end),
        category: last.category,
        severity: last.severity,
        comment: last.comment || "",
        fix: typeof last.fix === "string" ? last.fix : null,
      }
    : data.mark_draft || null;
  if (!kept || !Number.isInteger(kept.start) || !Number.isInteger(kept.end)) return null;
  return kept.start >= 0 && kept.start < kept.end && kept.end <= length ? kept : null;
}

/** The sends still waiting once new data arrive: those the server has not handled.
 * @param {MarkSend[]} waiting
 * @param {number[] | undefined} handled
 * @returns {MarkSend[]} */
export function stillWaiting(waiting, handled) {
  const done = new Set(handled || []);
  return waiting.filter((send) => !done.has(send.number));
}

/** Whether a key press is Ctrl+Z (Cmd+Z on a Mac): undo. Shift (redo) and Alt are not.
 * @param {KeyPress} press */
export function isUndoKey(press) {
  const ctrl = press.ctrlKey || press.metaKey;
  return ctrl && !press.shiftKey && !press.altKey && press.key.toLowerCase() === "z";
}

// ---- one editor's drafts ----

/** @type {Set<MarkDrafts>} */
const marksOnPage = new Set();

export class MarkDrafts {
  /** @param {MarkSource} source */
  constructor(source) {
    this.source = source;
    /** @type {MtrComponent | null} */
    this.component = null;
    this.reviewer = "";
    this.doc = "";
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null; // the pause, or a send waiting for the mouse
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retry = null; // a send the server has not handled, to go again
    /** @type {MarkSend[]} */
    this.waiting = []; // sent, not handled yet (oldest first)
    /** @type {string | null} */
    this.last = null; // the open picker's error as the server has it (or soon will)
    this.drafted = false; // the open picker's error is a draft on the server
    marksOnPage.add(this);
  }

  /** A picker opened, with the draft `kept` (null: a new error).
   * @param {KeptMark | null} kept */
  opened(kept) {
    this.stop();
    this.drafted = Boolean(kept);
    this.last = kept ? markFields(kept) : null;
  }

  /** Something typed or picked: kept after a pause. */
  changed() {
    this.stop();
    this.timer = setTimeout(() => this.send(), MARK_PAUSE_MS);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Keep the open picker's error now (`state`: as it was, for a picker being dropped);
   * with nothing typed in it any more, a draft sent before ends.
   * @param {MarkState | null} [state] */
  send(state = null) {
    this.stop();
    if (this.source.saving()) return; // the add carries it
    if (!state && this.source.dragging()) {
      this.timer = setTimeout(() => this.send(), MARK_RETRY_MS); // no rerun under a drag
      return;
    }
    const now = state || this.source.read();
    if (!now) return;
    if (!typedIn(now)) {
      this.discard(now);
      return;
    }
    const fields = markFields(now);
    if (fields === this.last) return;
    this.last = fields;
    this.drafted = true;
    this.emit({ ...now, number: nextNumber() });
  }

  /** The error is given up (Esc, Cancel, another selection): its draft ends.
   * @param {MarkState | null} [state] */
  discard(state = null) {
    this.stop();
    const now = state || this.source.read();
    if (!now || !this.drafted) return;
    this.drafted = false;
    this.last = null;
    this.emit({ doc: now.doc, segment: now.segment, discard: true, number: nextNumber() });
  }

  /** The error is being added: nothing more goes for it, and the add ends its draft on the
   * server when there is one (what this returns).
   * @param {string} doc
   * @param {number} segment
   * @returns {boolean} */
  added(doc, segment) {
    this.stop();
    const drafted = this.drafted;
    this.drafted = false;
    this.last = null;
    this.waiting = this.waiting.filter((s) => !(s.doc === doc && s.segment === segment));
    return drafted;
  }

  /** @param {MarkSend} send */
  emit(send) {
    if (!this.component) return;
    this.waiting = newestPerSegment([...this.waiting, { ...send, tries: 1 }]);
    this.component.setTriggerValue("mark", send);
  }

  /** New data arrived: forget what the server handled; send again, once the page has
   * settled, what it did not.
   * @param {MtrComponent} component
   * @param {MtrSegmentData} data */
  update(component, data) {
    this.component = component;
    this.reviewer = data.reviewer || "";
    this.doc = data.doc;
    this.takeUnsent();
    this.waiting = stillWaiting(this.waiting, data.handled);
    const again = this.waiting.find((send) => (send.tries || 0) < MARK_TRIES);
    if (again && !this.retry) this.retry = setTimeout(() => this.resend(again), MARK_RETRY_MS);
  }

  /** @param {MarkSend} send */
  resend(send) {
    this.retry = null;
    if (!this.source.connected() || !this.waiting.includes(send)) return;
    if (this.source.saving() || this.source.dragging() || !settled()) {
      this.retry = setTimeout(() => this.resend(send), MARK_RETRY_MS);
      return;
    }
    send.tries = (send.tries || 0) + 1;
    const { tries, reviewer, ...payload } = send;
    this.component.setTriggerValue("mark", payload);
  }

  // What the page before a reload left for this reviewer and document: sent again from here.
  takeUnsent() {
    /** @type {MarkSend[]} */
    let left = [];
    try {
      left = JSON.parse(sessionStorage.getItem(UNSENT_MARKS) || "[]");
    } catch {
      return;
    }
    if (!left.length) return;
    const mine = left.filter((s) => s.reviewer === this.reviewer && s.doc === this.doc);
    const rest = left.filter((s) => !mine.includes(s) && s.reviewer === this.reviewer);
    try {
      if (rest.length) sessionStorage.setItem(UNSENT_MARKS, JSON.stringify(rest));
      else sessionStorage.removeItem(UNSENT_MARKS);
    } catch {
      // storage off: what was taken is sent all the same
    }
    for (const send of mine) this.waiting.push({ ...send, tries: 0 });
    this.waiting = newestPerSegment(this.waiting);
  }

  /** Whether the server may not have all of this editor's drafts. */
  unsure() {
    const now = this.source.read();
    return this.waiting.length > 0 || Boolean(now && typedIn(now) && markFields(now) !== this.last);
  }

  /** The page is going: what the server may not have, for the next page to send.
   * @returns {MarkSend[]} */
  unsent() {
    const left = this.waiting.map(({ tries, ...send }) => send);
    const now = this.source.read();
    if (now && typedIn(now) && markFields(now) !== this.last) {
      left.push({ ...now, number: nextNumber() });
    }
    return newestPerSegment(left).map((send) => ({ ...send, reviewer: this.reviewer }));
  }
}

// Page listeners, once: what is typed in any picker goes before the tab is hidden or the
// page goes (and waits in sessionStorage, should the send be cut off).
export function watchMarks() {
  if (window.__mtreviewMarkWatch) return;
  window.__mtreviewMarkWatch = true;
  const live = () => [...marksOnPage].filter((marks) => marks.source.connected());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") for (const marks of live()) marks.send();
  });
  window.addEventListener("beforeunload", (event) => {
    const going = live().filter((marks) => marks.unsure());
    if (!going.length) return;
    try {
      sessionStorage.setItem(UNSENT_MARKS, JSON.stringify(going.flatMap((m) => m.unsent())));
    } catch {
      // storage full or off: the prompt and the send below are what is left
    }
    for (const marks of going) marks.send();
    event.preventDefault();
    event.returnValue = "";
  });
}
