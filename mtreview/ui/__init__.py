"""The review app: Streamlit views and the span component (the only package with streamlit)."""
