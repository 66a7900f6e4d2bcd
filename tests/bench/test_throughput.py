"""bench/throughput.py's bracketing: the order contenders run in, and figures over both runs."""

from __future__ import annotations

import json
import sys

from bench import throughput

ALL = ["newsflow", "user_loop", "trafilatura"]


def test_bracketed_baselines_run_on_both_sides_of_newsflow_in_mirror_order():
    order = throughput.run_order(ALL, bracket=True)
    assert order == ["user_loop", "trafilatura", "newsflow", "trafilatura", "user_loop"]
    assert throughput.run_order(ALL, bracket=False) == ALL
    # nothing to bracket without newsflow
    assert throughput.run_order(["user_loop"], bracket=True) == ["user_loop"]


def test_a_bracketed_baseline_counts_both_runs_and_reports_its_drift(capsys):
    runs = {
        "newsflow": [{"articles": 100, "seconds": 10.0, "cpu_seconds": 18.0}],
        # the host slowed down while newsflow ran: 0.4 s an article before, 0.6 after
        "user_loop": [
            {"articles": 100, "seconds": 40.0, "cpu_seconds": 40.0},
            {"articles": 100, "seconds": 60.0, "cpu_seconds": 60.0},
        ],
    }
    throughput._emit_ratios(100, runs)
    ratios = json.loads(capsys.readouterr().out)
    assert ratios["newsflow_over_user_loop"] == 5.0  # 0.5 s an article over 0.1
    assert ratios["cpu_newsflow_over_user_loop"] == 0.36  # 0.18 over 0.5
    assert ratios["baseline_drift"] == {"user_loop": 1.5}
    assert ratios["newsflow_over_trafilatura"] is None


_BUSY = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"


def test_the_commands_own_cpu_is_told_apart_from_its_childrens():
    # The command spins 0.4 s of CPU itself and waits for a child that spins as long: a worker.
    command = (
        f"import subprocess, sys\n{_BUSY}"
        f"subprocess.run([sys.executable, '-c', {_BUSY!r}], check=True)\n"
        "import time\ntime.sleep(0.3)\n"  # so that a sample follows the command's own work
    )
    run = throughput.run_measured([sys.executable, "-c", command])
    assert run.cpu_seconds >= 0.8
    assert 0.4 <= run.cpu_seconds_leader < run.cpu_seconds - 0.3
