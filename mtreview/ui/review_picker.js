// @ts-check
// mtreview review component, part 2 of 6: the picker that opens under a marked span.
// One key per choice: a letter picks a category, a digit the severity (then the cursor
// waits in the correction field), Enter adds the error, Esc cancels, "/" searches.
// Everything it shows is put in the page with textContent.

import { filterCategories } from "./review_text.js";

/** @typedef {import("./review_text.js").Choice} Choice */
/** @typedef {import("./review_text.js").Span} Span */
/** What the reviewer chose in the picker (`fix`: the marked words corrected; null: as
 * they were, or not correctable here).
 * @typedef {{category: string | undefined, severity: string | undefined, comment: string,
 *   fix: string | null}} Picked */
/** What the picker is given. `fix`: the marked words as the correction box has them, or
 * null when the box no longer has them; `typed`: what the reviewer had typed in it before
 * (their draft of this error, opened again), shown in its fields.
 * @typedef {object} PickerOptions
 * @property {Choice[]} categories
 * @property {Choice[]} severities
 * @property {{category?: string, severity?: string}} choice the last choice, picked first
 * @property {Span} span
 * @property {string | null} fix
 * @property {{fix?: string | null, comment?: string}} [typed]
 * @property {(picked: Picked) => void} onCommit
 * @property {() => void} onCancel
 * @property {() => void} onHelp
 * @property {() => void} [onChange] something typed or picked (the draft is kept) */
/** An open picker; `state()`: what it holds now (`fix`: the marked words as corrected,
 * null when they were not; a draft's fix that the box no longer has a place for is kept).
 * @typedef {{element: HTMLDivElement, focus: () => void, busy: () => void,
 *   state: () => Picked}} Picker */

/** A new element, its class and text set (text with textContent: never markup).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]} */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An element showing its shortcut key, then its label.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} className
 * @param {string | undefined} key
 * @param {string} label
 * @returns {HTMLElementTagNameMap[K]} */
function keyed(tag, className, key, label) {
  const node = el(tag, className);
  if (key) node.appendChild(el("kbd", "", key));
  node.appendChild(document.createTextNode(label));
  return node;
}

const TYPING_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** Whether keys pressed in `target` are typing (a field or editable text), not shortcuts.
 * @param {Element | null | undefined} target */
export function isTyping(target) {
  return Boolean(
    target &&
      (TYPING_TAGS.has(target.tagName) || /** @type {HTMLElement} */ (target).isContentEditable),
  );
}

/** @param {PickerOptions} options
 * @returns {Picker} */
export function buildPicker(options) {
  const { categories, severities, span, fix, onCommit, onCancel, onHelp } = options;
  const typed = options.typed || {};
  const changed = () => options.onChange?.();
  /** @type {{category: string | undefined, severity: string | undefined, shown: Choice[]}} */
  const state = {
    category: options.choice.category || (categories[0] && categories[0].label),
    severity: options.choice.severity || (severities[0] && severities[0].label),
    shown: categories.slice(),
  };
  const box = el("div", "mtr-picker");
  box.tabIndex = -1;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Mark an error");
  const title = el("div", "mtr-picked");
  title.appendChild(el("span", "mtr-quote", `«${span.text}»`));
  title.appendChild(el("span", "mtr-where", ` characters ${span.start + 1}–${span.end}`));
  box.appendChild(title);

  const search = el("input", "mtr-search");
  search.type = "search";
  search.placeholder = "/ to search categories";
  search.setAttribute("aria-label", "Search categories");
  box.appendChild(search);
  const list = el("div", "mtr-cats");
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "MQM category");
  box.appendChild(list);
  const sevs = el("div", "mtr-sevs");
  sevs.setAttribute("role", "radiogroup");
  sevs.setAttribute("aria-label", "Severity");
  box.appendChild(sevs);

  const fixLabel = el("label", "mtr-field");
  fixLabel.appendChild(el("span", "", "Correction"));
  const fixInput = el("input", "mtr-fix");
  fixInput.setAttribute("aria-label", "Correction of the marked words");
  if (fix === null) {
    fixInput.disabled = true;
    fixInput.placeholder = "already edited: correct it in the box below (C)";
    if (typeof typed.fix === "string") fixInput.value = typed.fix; // shown, never dropped
  } else {
    fixInput.value = typeof typed.fix === "string" ? typed.fix : fix;
  }
  fixLabel.appendChild(fixInput);
  box.appendChild(fixLabel);
  const commentLabel = el("label", "mtr-field");
  commentLabel.appendChild(el("span", "", "Comment"));
  const comment = el("input", "mtr-comment");
  comment.setAttribute("aria-label", "Comment (optional)");
  comment.value = typed.comment || "";
  commentLabel.appendChild(comment);
  box.appendChild(commentLabel);

  const buttons = el("div", "mtr-actions");
  const add = keyed("button", "mtr-add", "Enter", " Add error");
  add.type = "button";
  const cancel = keyed("button", "mtr-cancel", "Esc", " Cancel");
  cancel.type = "button";
  const help = keyed("button", "mtr-help-btn", "?", " Shortcuts");
  help.type = "button";
  buttons.append(add, cancel, help);
  box.appendChild(buttons);

  /** One row of choices: a button per option, its key shown, the chosen one marked.
   * @param {HTMLElement} holder
   * @param {Choice[]} options
   * @param {"option" | "radio"} role
   * @param {string | undefined} chosen
   * @param {(label: string) => void} pick */
  function drawOptions(holder, options, role, chosen, pick) {
    holder.replaceChildren();
    const mark = role === "option" ? "aria-selected" : "aria-checked";
    for (const option of options) {
      const button = keyed("button", `mtr-${role === "option" ? "cat" : "sev"}`, option.key,
        ` ${option.label}`);
      button.type = "button";
      button.tabIndex = -1;
      button.setAttribute("role", role);
      button.dataset.label = option.label;
      button.setAttribute(mark, String(option.label === chosen));
      button.addEventListener("click", () => pick(option.label));
      holder.appendChild(button);
    }
  }

  function drawCategories() {
    drawOptions(list, state.shown, "option", state.category, pickCategory);
  }

  function drawSeverities() {
    drawOptions(sevs, severities, "radio", state.severity, pickSeverity);
  }

  /** @param {string} label */
  function pickCategory(label) {
    state.category = label;
    drawCategories();
    changed();
    box.focus({ preventScroll: true });
  }

  /** @param {string} label */
  function pickSeverity(label) {
    state.severity = label;
    drawSeverities();
    changed();
    const next = fixInput.disabled ? box : fixInput;
    next.focus({ preventScroll: true });
    if (next === fixInput) fixInput.select();
  }

  /** @returns {Picked} */
  function picked() {
    const corrected = !fixInput.disabled && fixInput.value !== fix;
    const kept = fixInput.disabled && typeof typed.fix === "string" ? typed.fix : null;
    return {
      category: state.category,
      severity: state.severity,
      comment: comment.value,
      fix: corrected ? fixInput.value : kept,
    };
  }

  function commit() {
    const chosen = picked();
    const fixed = fixInput.disabled ? null : chosen.fix; // a fix needs its words in the box
    onCommit({ ...chosen, comment: chosen.comment.trim(), fix: fixed });
  }

  function filter() {
    const query = search.value;
    state.shown = query ? filterCategories(categories, query) : categories.slice();
    drawCategories();
  }

  search.addEventListener("input", filter);
  fixInput.addEventListener("input", changed);
  comment.addEventListener("input", changed);
  add.addEventListener("click", commit);
  cancel.addEventListener("click", () => onCancel());
  help.addEventListener("click", () => onHelp());

  box.addEventListener("keydown", (event) => {
    // Every key pressed here is the picker's: Streamlit's own shortcuts (J, K, A, X…)
    // must not act on the page behind it.
    event.stopPropagation();
    const typing = isTyping(/** @type {Element} */ (event.target));
    const key = event.key;
    if ((event.ctrlKey || event.metaKey) && (key === "Enter" || key.toLowerCase() === "s")) {
      event.preventDefault();
      commit();
      return;
    }
    if (key === "Escape") {
      event.preventDefault();
      if (event.target === search && search.value) {
        search.value = "";
        filter();
      } else if (typing) {
        box.focus({ preventScroll: true });
      } else {
        onCancel();
      }
      return;
    }
    if (key === "Enter") {
      event.preventDefault();
      if (event.target === search) {
        if (state.shown.length) pickCategory(state.shown[0].label);
        search.value = "";
        filter();
        return;
      }
      commit();
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (key === "/") {
      event.preventDefault();
      search.focus({ preventScroll: true });
      return;
    }
    if (key === "?") {
      event.preventDefault();
      onHelp();
      return;
    }
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      const labels = state.shown.map((c) => c.label);
      const at = labels.indexOf(/** @type {string} */ (state.category)); // -1: none yet
      const step = key === "ArrowDown" ? 1 : -1;
      const next = labels[(at + step + labels.length) % labels.length];
      if (next) pickCategory(next);
      return;
    }
    const severity = severities.find((s) => s.key === key);
    if (severity) {
      event.preventDefault();
      pickSeverity(severity.label);
      return;
    }
    const category = categories.find((c) => c.key && c.key === key.toLowerCase());
    if (category) {
      event.preventDefault();
      pickCategory(category.label);
    }
  });

  drawCategories();
  drawSeverities();
  return {
    element: box,
    focus: () => box.focus({ preventScroll: true }),
    busy: () => {
      box.classList.add("mtr-busy");
      const controls = /** @type {NodeListOf<HTMLButtonElement | HTMLInputElement>} */ (
        box.querySelectorAll("button, input")
      );
      for (const node of controls) node.disabled = true;
      /** @type {ChildNode} */ (add.lastChild).textContent = " Saving…";
    },
    state: picked,
  };
}
