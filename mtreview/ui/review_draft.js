// @ts-check
// mtreview review component, part 4 of 5: the draft keeper.
// The correction box is a Streamlit form, so typing never reruns the page (issue 15) and
// the server cannot see what is typed until the form is sent. The keeper sends it as the
// reviewer's draft: after a pause in typing, when the box loses focus, when the tab is
// hidden, and before a reload or close (warning then if the text may not have reached the
// server). It never sends while the mouse is down in the segment's text, a picker is open
// or an error is being saved, so no rerun starts under a drag. A click elsewhere (the
// article, a button) sends it at mouse-down, ahead of the click's own rerun. Streamlit can
// drop a trigger when a newer request cuts its run short, so each page says which draft
// numbers the server has handled and the keeper sends again what it has not.

import { el } from "./review_picker.js";

/** A draft as sent to the server (`base`: the version it was typed on).
 * @typedef {{doc: string, segment: number, base: number, text: string, number: number}} Draft */
/** A draft sent and not yet handled, with the sends so far (and its reviewer, when it
 * was left by the page before a reload).
 * @typedef {Draft & {tries: number, reviewer?: string}} SentDraft */
/** A draft left in this tab's storage for the next page, with its reviewer.
 * @typedef {Draft & {reviewer: string}} LeftDraft */

const BOX = 'textarea[aria-label="Corrected segment"]';
const DRAFT_PAUSE_MS = 1500; // typing paused this long: keep what is there
const DRAFT_RETRY_MS = 250; // busy (mouse down, picker open): look again this often
const DRAFT_TRIES = 3; // sends of one draft the server never answers before giving it up

// The correction box on screen (Streamlit keeps an outgoing element for a moment, marked
// stale, while it draws the new one); `key`: the one with that widget key, when a page
// has several boxes (the comparison view).
/** @param {string | null | undefined} key
 * @returns {HTMLTextAreaElement | null} */
export function correctionBox(key = null) {
  const wanted = key ? `.${keyClass(key)} ${BOX}` : BOX;
  /** @type {HTMLTextAreaElement[]} */
  const all = Array.from(document.querySelectorAll(wanted));
  const boxes = all.filter(
    (box) => box.offsetParent !== null && !box.closest('[data-stale="true"]'),
  );
  return boxes.length ? boxes[boxes.length - 1] : null;
}

/** The class Streamlit gives the element of a widget with key `key`.
 * @param {string} key
 * @returns {string} */
export function keyClass(key) {
  return `st-key-${key.trim().replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}

const UNSENT = "mtreview-unsent-drafts"; // sessionStorage: drafts a reload may have cut off
let draftNumber = Date.now() * 1000; // drafts sent from this page, in order (reloads too)
let savingFromKeys = false; // Ctrl+S is taking the focus from the box to send the form

/** Ctrl+S in a correction box: take the focus from it so Streamlit has its text when the
 * form is sent; the form sends this text, so no draft of it goes out on the way.
 * @param {HTMLElement} box */
export function blurForSave(box) {
  savingFromKeys = true;
  box.blur();
  savingFromKeys = false;
}

/** The segment editors on the page now (review.js registers them): the keepers wait
 * while one is busy (mouse down, picker open, error being saved).
 * @returns {import("./review.js").SegmentView[]} */
export function segmentViews() {
  return (window.__mtreviewSegments || []).filter((view) => view.connected());
}

/** Put `text` in a box React draws: its own value setter, then the input event it listens to.
 * @param {HTMLTextAreaElement} box
 * @param {string} text */
function setBoxText(box, text) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
  setter.call(box, text);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

export class DraftKeeper {
  /** @param {HTMLElement} parent */
  constructor(parent) {
    this.root = el("div", "mtr-root mtr-draft");
    this.root.setAttribute("aria-live", "polite");
    this.note = el("span", "mtr-draft-note");
    this.discard = el("button", "mtr-draft-discard", "Discard draft");
    this.discard.type = "button";
    this.discard.addEventListener("click", () => this.drop());
    this.root.append(this.note, this.discard);
    parent.appendChild(this.root);
    /** @type {MtrDraftData | null} */
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
    this.sent = null; // the text last sent, until the server's answer comes back
    /** @type {SentDraft[]} */
    this.unanswered = []; // drafts sent, not yet handled by the server (oldest first)
    // The note follows the box, which Streamlit may fill after this keeper's data arrives.
    this.ticker = setInterval(() => {
      if (this.connected()) this.show();
      else clearInterval(this.ticker);
    }, 400);
  }

  connected() {
    return this.root.isConnected;
  }

  /** @param {MtrComponent} component
   * @param {MtrDraftData} data */
  update(component, data) {
    this.component = component;
    const previous = this.data;
    const moved =
      !previous ||
      previous.doc !== data.doc ||
      previous.segment !== data.segment ||
      previous.base !== data.base;
    if (moved) {
      this.stop();
      this.flush(true); // the segment left behind keeps what was typed in it
    }
    this.data = data;
    this.sent = null;
    window.__mtreviewDrafts = [...keepers().filter((k) => k !== this), this];
    this.takeUnsent();
    requestAnimationFrame(() => this.show()); // once the box has its new text too
    // Handled, or typed on a version of this segment that a save has replaced since.
    const handled = data.handled || [];
    this.unanswered = this.unanswered.filter(
      (d) =>
        !handled.includes(d.number) &&
        !(d.doc === data.doc && d.segment === data.segment && d.base !== data.base),
    );
    this.show();
    const again = this.unanswered.find((d) => d.tries < DRAFT_TRIES);
    if (again && !this.pending) {
      // a run ended without it: send it again once the page has settled
      setTimeout(() => this.resend(again), DRAFT_RETRY_MS);
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
  }

  // The page is going: what may not have reached the server, to wait in this tab's
  // storage (`leaveUnsent`).
  unsent() {
    const left = this.unanswered.map(({ tries, ...draft }) => draft);
    const text = this.typed();
    if (text !== null && text !== this.kept() && text !== this.sent) {
      const { doc, segment, base } = this.data;
      draftNumber += 1;
      left.push({ doc, segment, base, text, number: draftNumber });
    }
    const reviewer = this.data.reviewer;
    return left.map((d) => ({ ...d, reviewer }));
  }

  /** @param {SentDraft} draft */
  resend(draft) {
    if (!this.connected() || !this.unanswered.includes(draft)) return;
    if (this.busy() || appRunning()) {
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

  // This keeper's own box: the one drawn for its segment and version (while the page is
  // drawn again, the box on screen may still be the previous segment's). During any script
  // run Streamlit marks the page's elements stale until the run sends them again: a stale
  // box with this key is still the reviewer's, holding what they typed.
  /** @returns {HTMLTextAreaElement | null} */
  box() {
    if (!this.data) return null;
    /** @type {HTMLTextAreaElement[]} */
    const boxes = Array.from(document.querySelectorAll(`.${keyClass(this.data.key)} ${BOX}`));
    return boxes.find((box) => !box.closest('[data-stale="true"]')) || boxes[0] || null;
  }

  /** @param {Element} target */
  owns(target) {
    return Boolean(this.data && target.closest(`.${keyClass(this.data.key)}`));
  }

  typed() {
    const box = this.box();
    return box ? box.value : null;
  }

  unkept() {
    const text = this.typed();
    return text !== null && text !== this.kept();
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
    return segmentViews().some((view) => view.dragging || view.picker || view.saving);
  }

  // Take the box's text as the draft, unless the server has it already; send it now or,
  // when busy, as soon as the mouse and the picker are done. `now`: the page is going.
  send(now = false) {
    this.stop();
    if (!this.connected() || !this.data) return;
    const text = this.typed();
    if (text === null) return;
    if (text === (this.sent ?? this.kept())) {
      clearTimeout(this.retry); // what the server has, or is about to have
      this.pending = null;
      return;
    }
    const { doc, segment, base } = this.data;
    draftNumber += 1;
    this.pending = { doc, segment, base, text, number: draftNumber };
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
    this.unanswered.push({ ...draft, tries: 1 });
    this.component.setTriggerValue("draft", draft);
  }

  // Back to the saved text; the server then forgets the draft.
  drop() {
    const box = this.box();
    if (!box) return;
    setBoxText(box, this.data.saved);
    this.send(true);
  }
}

// Whether Streamlit is running the page script now.
function appRunning() {
  /** @type {HTMLElement | null} */
  const app = document.querySelector('[data-testid="stApp"]');
  return Boolean(app && app.dataset.testScriptState === "running");
}

// The keepers on the page now: one, or one for each correction box (the comparison view).
function keepers() {
  return (window.__mtreviewDrafts || []).filter((keeper) => keeper.connected());
}

/** @param {Element} target */
function ownerOf(target) {
  return keepers().find((keeper) => keeper.owns(target)) || null;
}

// The page is going: what the keepers could not be sure the server has waits in this
// tab's storage, for the next page's keepers.
/** @param {DraftKeeper[]} going */
function leaveUnsent(going) {
  try {
    sessionStorage.setItem(UNSENT, JSON.stringify(going.flatMap((keeper) => keeper.unsent())));
  } catch {
    // storage full or off: the prompt and the send below are what is left
  }
}

/** @param {EventTarget | null} target
 * @returns {target is HTMLTextAreaElement} */
function isBox(target) {
  const element = /** @type {Element | null} */ (target);
  return Boolean(element && element.matches && element.matches(BOX));
}

// Page listeners, once: they reach whichever keeper is on the page now.
export function watchDrafts() {
  if (window.__mtreviewDraftWatch) return;
  window.__mtreviewDraftWatch = true;
  document.addEventListener(
    "input",
    (event) => {
      if (isBox(event.target)) ownerOf(event.target)?.typing();
    },
    true,
  );
  document.addEventListener(
    "focusout",
    (event) => {
      const box = event.target;
      const keeper = isBox(box) ? ownerOf(box) : null;
      if (!keeper) return;
      // Ctrl+S, or focus moving to the box's own buttons: the form sends the text itself.
      const form = /** @type {HTMLTextAreaElement} */ (box).closest('[data-testid="stForm"]');
      const to = /** @type {Node | null} */ (event.relatedTarget);
      const toForm = form && to && form.contains(to);
      if (savingFromKeys) keeper.stop();
      if (savingFromKeys || toForm) return; // (a pause still keeps it if no click comes)
      keeper.send();
    },
    true,
  );
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") for (const keeper of keepers()) keeper.send(true);
  });
  window.addEventListener("beforeunload", (event) => {
    const going = keepers().filter((keeper) => keeper.unkept() || keeper.unanswered.length);
    if (!going.length) return;
    leaveUnsent(going);
    // most often it arrives; the browser asks whether to leave meanwhile
    for (const keeper of going) keeper.send(true);
    event.preventDefault();
    event.returnValue = "";
  });
}
