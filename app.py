"""Streamlit entry point: `streamlit run app.py` (or `mtreview app`); the UI is mtreview.ui."""

from mtreview.ui.page import main

main()
