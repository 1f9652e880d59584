"""The benchmark scripts keep working as the code changes (run, not timed: figures live in bench/RESULTS.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.slow  # runs the benchmark scripts as processes


def test_the_card_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cards.py")], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for card in ("/progress card", "weekly leaderboard card", "/cohort report chart"):
        assert card in result.stdout


def test_the_page_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "page.py"), "--members", "40", "--runs", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"members": 40' in result.stdout and '"http": {' in result.stdout


def test_the_scale_out_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scaleout.py"), "--members", "20", "--limit", "20", "--timeout", "30"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"nudged": 40' in result.stdout and '"duplicates": 0' in result.stdout


def test_the_buddy_pairing_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "buddies.py"), "--members", "9", "40"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "   40 members: pairing median" in result.stdout and "0 repeated pairs in 5 weeks" in result.stdout


def test_the_semester_benchmark_runs_and_finds_every_nudge_and_count_as_it_should():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "semester.py"), "--members", "6", "--weeks", "2", "--sessions", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "total " in result.stdout and "problems: 0" in result.stdout
    assert result.stdout.count("\n   ") >= 2  # a line per simulated week


def test_the_study_room_benchmark_runs_and_keeps_every_stay_whole_across_the_restart():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "study_rooms.py"),
            "--members",
            "40",
            "--in-room",
            "10",
            "--commands",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "stays opened by 10 joins: 10" in result.stdout
    assert "10/10 stays went on as one, 0 doubled" in result.stdout
