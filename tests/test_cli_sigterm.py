"""A command writing a file that is stopped with SIGTERM leaves nothing half-written.

Found by an operations tester: `grabpack export episodes --output out/keep.csv`
killed with SIGTERM (cron's `timeout`, systemd stopping a job) left
`out/.keep.csv.<random>.partial`, 128 KB of episode rows, for ever; Ctrl-C was
cleaned up. SIGTERM now takes the same way out."""

from __future__ import annotations

import os
import signal

import pytest

from grabpack.cli import _written_when_complete


def test_sigterm_part_way_leaves_the_earlier_file_and_no_partial_copy(tmp_path):
    target = tmp_path / "keep.csv"
    target.write_text("the earlier export\n")
    with pytest.raises(SystemExit) as stopped, _written_when_complete(str(target)) as stream:
        stream.write("patient rows, part of them\n" * 1000)
        os.kill(os.getpid(), signal.SIGTERM)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.csv"]
    assert target.read_text() == "the earlier export\n"


def test_the_signal_is_given_back_once_the_file_is_written(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with _written_when_complete(str(tmp_path / "out.csv")) as stream:
        stream.write("done\n")
    assert signal.getsignal(signal.SIGTERM) is before
    assert (tmp_path / "out.csv").read_text() == "done\n"
