"""What `streamlit run` starts (`mtreview app`); inside the package, so an installed wheel
has it too. The checkout's app.py is the same.

Imported by `streamlit run`, it is the server: an `st.App` with the web gate in front
(`mtreview.ui.gate`: host allow-list, frame headers, no proxied local mode). Run as the
script of a session (Streamlit runs it as `__main__`, as AppTest does), it is the page."""

import streamlit as st

from mtreview.ui.gate import app_options

if __name__ == "__main__":
    from mtreview.ui.page import main

    main()
else:
    app = st.App(__file__, **app_options())
