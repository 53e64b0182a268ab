"""Streamlit entry point: `streamlit run app.py` (or `mtreview app`); the UI is mtreview.ui.

Imported by `streamlit run`, it is the server, with the web gate in front
(`mtreview.ui.gate`); run as a session's script (`__main__`), it is the page."""

import streamlit as st

from mtreview.ui.gate import app_options

if __name__ == "__main__":
    from mtreview.ui.page import main

    main()
else:
    app = st.App(__file__, **app_options())
