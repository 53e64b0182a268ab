// Types shared by the review component's JavaScript (mtreview/ui/review*.js): what
// Streamlit passes in, what the Python side sends as `data` (mtreview/ui/marking.py,
// view_model.py, correction.py) and what the parts keep on `window`. Read only by the type
// check (`npx tsc --noEmit -p jsconfig.json`); neither shipped nor loaded by the browser.

type MtrMark = import("./review_text.js").Mark;
type MtrChoice = import("./review_text.js").Choice;

/** What Streamlit (components v2) passes to the module's default export each time an
 * instance is mounted or its data change (`isolate_styles=False`: a plain element). */
interface MtrComponent {
  name: string;
  key: string;
  data: MtrData | null | undefined;
  parentElement: HTMLElement & { __mtreview?: MtrView };
  setStateValue(name: string, value: unknown): void;
  setTriggerValue(name: string, value: unknown): void;
}

type MtrData = MtrArticleData | MtrSegmentData | MtrBoxData;
type MtrView =
  | import("./review_article.js").ArticleView
  | import("./review.js").SegmentView
  | import("./review_draft.js").CorrectionBox;

/** The rows of the `?` overlay. */
interface MtrHelp {
  keys?: [string, string][];
  categories?: MtrChoice[];
  severities?: MtrChoice[];
}

interface MtrCommon {
  help?: MtrHelp;
}

/** One segment of the article (view_model.article_paragraphs). */
interface MtrArticleSegment {
  index: number;
  text: string;
  risk: number;
  reviewed?: boolean;
  corrected?: boolean;
  hidden?: boolean;
  ready?: boolean;
  title?: string;
  marks?: MtrMark[];
}

interface MtrArticleData extends MtrCommon {
  mode: "article";
  paragraphs?: MtrArticleSegment[][];
  current: number;
}

/** The open segment (marking.editor_data). */
interface MtrSegmentData extends MtrCommon {
  mode: "segment";
  doc: string;
  segment: number;
  text: string;
  current_text?: string;
  marks?: MtrMark[];
  categories?: MtrChoice[];
  severities?: MtrChoice[];
  defaults?: { category?: string; severity?: string };
  last_mark?: { start: number; end: number } | null;
  focus_token?: number;
  hint?: string;
  several?: boolean;
  box_key?: string | null;
  /** the reviewer's error begun in the picker and not added: the picker opens with it */
  mark_draft?: import("./review_marks.js").KeptMark | null;
  /** the numbers of the picker's drafts the server handled last (it sends the others again) */
  handled?: number[];
  /** whose page it is: a draft left by a page before a reload goes back to them only */
  reviewer?: string;
}

/** The correction box of a segment and its drafts (correction.box_data). */
interface MtrBoxData extends MtrCommon {
  mode: "box";
  doc: string;
  segment: number;
  /** names the segment and the version the box edits */
  key: string;
  /** the version the box edits */
  base: number;
  /** that version's text */
  saved: string;
  /** the reviewer's draft typed on that version, which the box starts from */
  draft: string | null;
  note?: string;
  handled?: number[];
  reviewer: string;
  /** one of several boxes on the page: its shortcuts work only while it has the focus */
  several?: boolean;
  /** Streamlit's spelling of the box's shortcuts (shortcuts.SHORTCUTS) */
  shortcuts?: { save?: string; reviewed?: string };
}

interface Window {
  /** the correction boxes on the page (review_draft.js) */
  __mtreviewBoxes?: import("./review_draft.js").CorrectionBox[];
  /** what this page knew of each box it showed: the server's text, the text typed */
  __mtreviewTyped?: Map<string, import("./review_draft.js").Typed>;
  /** when a part of the component last got data (performance.now()) */
  __mtreviewDataAt?: number;
  /** the segment editors on the page (review.js) */
  __mtreviewSegments?: import("./review.js").SegmentView[];
  /** the page key listener is installed */
  __mtreviewKeys?: boolean;
  /** the boxes' page listeners are installed */
  __mtreviewDraftWatch?: boolean;
  /** the pickers' page listeners are installed (review_marks.js) */
  __mtreviewMarkWatch?: boolean;
}
