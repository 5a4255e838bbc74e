"""ReportLab shares TrueType state between documents: builds must not interleave.

Two threads subsetting the same font at once corrupt each other's reads
(``TTFontFile.makeSubset`` moves one shared cursor through the font file): a
``KeyError`` now and then under gunicorn's threaded workers. ``BUILD_LOCK`` lets
one build run at a time in a process.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from grabpack.pdf import render_grab_pack
from tests.pdf import samples
from tests.pdf.conftest import extract

NAMES = ["Łukasz Wójcik", "Siobhán Ní Bhriain", "王伟", "Zuzanna Dąbrowska"]


@pytest.fixture
def widened_subsetting(monkeypatch) -> dict:
    """Make each font subsetting slow, and count how many run at the same time."""
    original = TTFontFile.makeSubset
    seen = {"now": 0, "most": 0}
    guard = threading.Lock()

    def make_subset(self, subset):
        with guard:
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])
        try:
            time.sleep(0.002)  # wide enough for another thread to come in, if it can
            return original(self, subset)
        finally:
            with guard:
                seen["now"] -= 1

    monkeypatch.setattr(TTFontFile, "makeSubset", make_subset)
    return seen


def test_packs_render_in_several_threads_at_once(widened_subsetting):
    snapshots = []
    for index in range(12):
        data = samples.scripts_data() if index % 2 else samples.typical_data()
        data["identity"]["full_name"] = NAMES[index % len(NAMES)]
        snapshots.append(samples.snapshot(data, version=index + 1))
    with ThreadPoolExecutor(max_workers=6) as pool:
        pdfs = list(pool.map(render_grab_pack, snapshots))
    assert widened_subsetting["most"] == 1, "two builds subset fonts at the same time"
    for snapshot, pdf in zip(snapshots, pdfs, strict=True):
        text = extract(pdf)
        name = snapshot.data["identity"]["full_name"]
        assert all(f"Grab pack: {name}" in page for page in text.pages)
        assert f"Grab pack version {snapshot.version}," in text.pages[0]
