"""Streamlit entry point: `streamlit run app.py` (the review UI lives in mtreview.ui)."""

import streamlit as st

st.set_page_config(page_title="mtreview", layout="wide")
st.title("mtreview")
st.info("The review app is being built; `mtreview score` works today.")
