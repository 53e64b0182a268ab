// Types shared by the review component's JavaScript (mtreview/ui/review*.js): what
// Streamlit passes in, what the Python side sends as `data` (mtreview/ui/marking.py,
// view_model.py, drafts.py) and what the parts keep on `window`. Read only by the type
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

type MtrData = MtrArticleData | MtrSegmentData | MtrDraftData;
type MtrView =
  | import("./review_article.js").ArticleView
  | import("./review.js").SegmentView
  | import("./review_draft.js").DraftKeeper;

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
}

/** The draft keeper of a correction box (drafts.draft_line). */
interface MtrDraftData extends MtrCommon {
  mode: "draft";
  doc: string;
  segment: number;
  key: string;
  base: number;
  saved: string;
  draft: string | null;
  note?: string;
  handled?: number[];
  reviewer: string;
}

interface Window {
  /** the draft keepers on the page (review_draft.js) */
  __mtreviewDrafts?: import("./review_draft.js").DraftKeeper[];
  /** the segment editors on the page (review.js) */
  __mtreviewSegments?: import("./review.js").SegmentView[];
  /** the page key listener is installed */
  __mtreviewKeys?: boolean;
  /** the draft keepers' page listeners are installed */
  __mtreviewDraftWatch?: boolean;
}
