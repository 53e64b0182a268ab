"""An installed wheel carries what `mtreview app` needs: the Streamlit script, the component
and the shipped article, found inside the package and not in a source checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes  # pip builds a wheel; the installed package runs apart

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
import mtreview
from mtreview.ui import loading

package = Path(mtreview.__file__).parent
assert package.is_relative_to(sys.argv[1]), package
assert loading.SHIPPED_ARTICLE.is_relative_to(sys.argv[1]), loading.SHIPPED_ARTICLE
from streamlit import config
config.set_option("server.address", "127.0.0.1")  # as `mtreview app` serves it
at = AppTest.from_file(str(package / "ui" / "streamlit_app.py"), default_timeout=120)
at.run()
assert not at.exception, [e.message for e in at.exception]
from mtreview.store import ReviewStore
with ReviewStore(sys.argv[2]) as store:
    [info] = store.documents()
print(info.name, info.segments)
"""


@pytest.mark.slow
def test_the_installed_wheel_runs_the_app_on_the_shipped_article(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path / "wheel")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = (tmp_path / "wheel").glob("mtreview-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "mtreview/ui/streamlit_app.py",
        "mtreview/data/kaztag-ngo-pressure.fr.txt",
        "mtreview/data/word_order_lm.bin",  # the swapped_words check's model
    } <= names
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(site),  # ahead of the checkout's editable install
        "MTREVIEW_DB": str(tmp_path / "review.db"),
        "MTREVIEW_USE_MODELS": "false",
        "MTREVIEW_REVIEWER": "Anne",
    }
    env.pop("MTREVIEW_DOCUMENT", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(site), str(tmp_path / "review.db")],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    name, segments = result.stdout.split()
    assert name == "kaztag-ngo-pressure.fr.txt" and int(segments) > 10  # the article is open
