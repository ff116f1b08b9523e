"""The collector pause used by parsing and conversion always hands the collector back as it found it."""
from __future__ import annotations

import gc
import threading

import pytest

from parsers import registry
from pipeline.errors import ReportError
from pipeline.gc_pause import paused_gc


def test_pause_disables_and_restores() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner pause must not re-enable the collector early"
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collector_is_back_after_an_error() -> None:
    with pytest.raises(ReportError):
        registry.parse_report("sarif", b"{not json", "broken.sarif")
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_end_enabled() -> None:
    inside = threading.Barrier(2)

    def work() -> None:
        with paused_gc():
            inside.wait(timeout=10)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert gc.isenabled()
