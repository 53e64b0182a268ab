"""The script `streamlit run` executes (`mtreview app`); inside the package, so an installed
wheel has it too. The checkout's app.py does the same."""

from mtreview.ui.page import main

main()
