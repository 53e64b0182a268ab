"""`python -m mtreview.cli`: the same as the `mtreview` command."""

from mtreview.cli import main

raise SystemExit(main())
