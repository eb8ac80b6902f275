"""Which reading becomes a run's headline peak memory (harness/measure/peaks.py)."""

import pytest

from harness.measure.peaks import headline_peak

pytestmark = pytest.mark.unit

MIB = 2**20


def test_ru_maxrss_above_what_the_program_inherited_is_its_own_exact_peak():
    peak = headline_peak(ru_maxrss_bytes=300 * MIB, inherited_bytes=80 * MIB, hwm_bytes=290 * MIB, pss_bytes=0, processes_peak=1)
    assert (peak.bytes, peak.method) == (300 * MIB, "ru_maxrss")


def test_ru_maxrss_at_or_below_the_inherited_mark_is_the_harnesss_so_the_sampled_high_water_mark_is_used():
    peak = headline_peak(ru_maxrss_bytes=80 * MIB, inherited_bytes=80 * MIB, hwm_bytes=12 * MIB, pss_bytes=0, processes_peak=1)
    assert (peak.bytes, peak.method) == (12 * MIB, "VmHWM sampled")


def test_a_sampled_high_water_mark_above_ru_maxrss_wins():
    peak = headline_peak(ru_maxrss_bytes=200 * MIB, inherited_bytes=80 * MIB, hwm_bytes=201 * MIB, pss_bytes=0, processes_peak=1)
    assert (peak.bytes, peak.method) == (201 * MIB, "VmHWM sampled")


def test_a_tree_takes_its_summed_pss_when_it_is_above_the_roots_own_peak():
    peak = headline_peak(ru_maxrss_bytes=150 * MIB, inherited_bytes=80 * MIB, hwm_bytes=150 * MIB, pss_bytes=170 * MIB, processes_peak=3)
    assert (peak.bytes, peak.method) == (170 * MIB, "PSS of the tree, sampled")


def test_a_tree_never_reports_less_than_its_roots_own_peak():
    peak = headline_peak(ru_maxrss_bytes=150 * MIB, inherited_bytes=80 * MIB, hwm_bytes=150 * MIB, pss_bytes=90 * MIB, processes_peak=3)
    assert peak.bytes == 150 * MIB


def test_a_program_too_short_to_be_sampled_and_smaller_than_the_harness_has_no_headline():
    peak = headline_peak(ru_maxrss_bytes=80 * MIB, inherited_bytes=80 * MIB, hwm_bytes=0, pss_bytes=0, processes_peak=0)
    assert peak.bytes is None and peak.method.startswith("not measured")
