// @ts-check
// mtreview review component, part 3 of 6: the article, tinted by risk; a click opens a
// segment. Redrawn only when its data change, keeping the reader's place in its box.
// `renderText` draws a segment's text with its marks, here and in the open segment.

import { pieces } from "./review_text.js";
import { el } from "./review_picker.js";

/** Draw `text` in `target`, one span a piece between mark boundaries, each span's first
 * code point in `data-cp` (what a selection's offsets are read back from).
 * @param {HTMLElement} target
 * @param {string} text
 * @param {import("./review_text.js").Mark[]} marks */
export function renderText(target, text, marks) {
  target.replaceChildren();
  for (const piece of pieces(text, marks)) {
    const span = document.createElement("span");
    span.textContent = piece.text;
    span.dataset.cp = String(piece.start);
    for (const m of piece.marks) span.classList.add(`mtr-${m.kind}`);
    if (piece.marks.some((m) => m.focus)) span.classList.add("mtr-focus");
    const titles = piece.marks.map((m) => m.label).filter(Boolean);
    if (titles.length) span.title = titles.join("\n");
    target.appendChild(span);
  }
}

export class ArticleView {
  /** @param {HTMLElement} parent */
  constructor(parent) {
    this.root = el("div", "mtr-root");
    this.article = el("div", "mtr-article");
    this.root.appendChild(this.article);
    parent.appendChild(this.root);
    this.sig = "";
    /** @type {number | null} */
    this.current = null;
    /** @type {MtrComponent | null} */
    this.component = null;
  }

  /** @param {MtrComponent} component
   * @param {MtrArticleData} data */
  update(component, data) {
    this.component = component;
    const sig = JSON.stringify(data);
    if (sig === this.sig) return;
    this.sig = sig;
    const scrolled = this.article.scrollTop;
    this.article.replaceChildren();
    for (const paragraph of data.paragraphs || []) {
      const p = document.createElement("p");
      for (const seg of paragraph) p.append(this.segment(seg, data.current), " ");
      this.article.appendChild(p);
    }
    this.fit();
    this.article.scrollTop = scrolled; // a redraw keeps the reader's place
    if (data.current !== this.current) this.showCurrent();
    this.current = data.current;
  }

  /** @param {MtrArticleSegment} seg
   * @param {number} current */
  segment(seg, current) {
    const span = document.createElement("span");
    span.className = "mtr-seg";
    span.dataset.index = String(seg.index);
    span.style.setProperty("--risk", String(seg.risk));
    if (seg.reviewed) span.classList.add("mtr-reviewed");
    if (seg.corrected) span.classList.add("mtr-corrected");
    if (seg.index === current) span.classList.add("mtr-current");
    if (seg.hidden) span.classList.add("mtr-dim");
    if (!seg.ready) span.classList.add("mtr-waiting");
    span.title = seg.title || "";
    renderText(span, seg.text, seg.marks || []);
    span.addEventListener("click", () => {
      const selection = window.getSelection();
      if (selection && !selection.isCollapsed) return;
      /** @type {MtrComponent} */ (this.component).setTriggerValue("open", seg.index);
    });
    return span;
  }

  // The article's box ends at the bottom of the window (page scrolled to the top), so
  // every segment it shows can be clicked without scrolling the page.
  fit() {
    const main = this.article.closest('[data-testid="stMain"]');
    const top = this.article.getBoundingClientRect().top + (main ? main.scrollTop : 0);
    const room = Math.max(240, window.innerHeight - top - 16);
    this.article.style.maxHeight = `${Math.round(room)}px`;
  }

  // The open segment inside the article's own scroll box, without moving the page: near
  // the top when it is off or low, so what comes next is in view.
  showCurrent() {
    const node = /** @type {HTMLElement | null} */ (this.article.querySelector(".mtr-current"));
    if (!node) return;
    const box = this.article;
    const top = node.offsetTop - box.offsetTop;
    const low = top + node.offsetHeight > box.scrollTop + box.clientHeight * 0.45;
    if (top < box.scrollTop || low) box.scrollTop = Math.max(0, top - box.clientHeight * 0.12);
  }
}
