"""Output of ``python -m skunlearn``: JSON and CSV for machines, checked targets, progress.

The JSON document and the CSV rows carry the same numbers as the printed table,
unrounded; a number that is not finite (a diverged distance, an infinite bound) is
``null`` in JSON and empty in CSV. Output files are checked before any work, so a
run never ends by failing to write.
"""

import csv
import io
import json
import math
import os
import sys
import threading
import time

import numpy as np

__all__ = ["CSV_COLUMNS", "Progress", "json_ready", "target_error", "write_csv", "write_json"]

CSV_COLUMNS = [
    "unlearner",
    "seconds",
    "speedup",
    "distance",
    "grad_norm",
    "bound",
    "retain",
    "forget",
    "test",
    "mia_auc",
    "klom_forget",
    "klom_retain",
    "klom_test",
    "ulira_auc",
    "diverged",
    "in_band",
    "verdict",
]


def target_error(path, option, stdout_allowed=False):
    """Why ``path`` cannot receive the output of ``option``, or None when it can."""
    if stdout_allowed and path == "-":
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        return f"{option} {path}: not a writable file path"
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return f"{option} {path}: the file exists and is not writable"
    return None


def plot_target_error(path):
    """Why ``--plot path`` cannot be saved (matplotlib, folder, format), or None."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return "--plot needs matplotlib: pip install 'skunlearn[examples]'"
    error = target_error(path, "--plot")
    if error:
        return error
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    formats = Figure().canvas.get_supported_filetypes()
    if extension not in formats:
        return f"--plot {path}: the extension must be one of {', '.join(sorted(formats))}"
    return None


def json_ready(value):
    """``value`` with numpy scalars and arrays as Python values, non-finite floats None."""
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(document, path):
    """Write ``document`` as JSON to ``path`` ("-": standard output)."""
    text = json.dumps(json_ready(document), indent=2, allow_nan=False) + "\n"
    _write(text, path)


def write_csv(report, path):
    """Write the oracle and one row per unlearner of an ``UnlearningReport`` as CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    rows = [{**report.oracle, "unlearner": "(oracle)"}, *report.rows]
    for row in rows:
        writer.writerow({key: _csv_cell(value) for key, value in json_ready(row).items()})
    _write(buffer.getvalue(), path)


def _csv_cell(value):
    return "" if value is None else value


def _write(text, path):
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


class Progress:
    """A progress bar on standard error for steps that take more than a few seconds.

    Drawn only when standard error is a terminal, and only once the run has taken
    ``delay`` seconds; a background thread redraws it (with the elapsed time)
    while a long step runs, and :meth:`close` erases it.
    """

    def __init__(self, total, stream=None, delay=2.0, interval=0.25):
        self.total, self.done, self.label = total, 0, ""
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay, self.interval, self.start = delay, interval, time.monotonic()
        self._drawn, self._lock, self._stop = False, threading.Lock(), threading.Event()
        if self.enabled:
            threading.Thread(target=self._tick, daemon=True).start()

    def step(self, label):
        """Start the next step, named ``label``."""
        with self._lock:
            self.done = min(self.done + 1, self.total)
            self.label = label
        self._draw()

    def _tick(self):
        while not self._stop.wait(self.interval):
            self._draw()

    def _draw(self):
        elapsed = time.monotonic() - self.start
        if not self.enabled or elapsed < self.delay:
            return
        with self._lock:
            filled = round(20 * (self.done - 1) / max(self.total, 1))
            bar = "#" * filled + "-" * (20 - filled)
            line = f"[{bar}] {self.done}/{self.total} {self.label}  {elapsed:.0f} s"
            self.stream.write(f"\r{line[:100]:<100}")
            self.stream.flush()
            self._drawn = True

    def print(self, *lines):
        """Print ``lines`` on standard output, erasing the bar first (it is redrawn)."""
        with self._lock:
            self._erase()
            print(*lines, sep="\n", flush=True)

    def close(self):
        """Stop redrawing and erase the bar."""
        self._stop.set()
        with self._lock:
            self._erase()
            self.enabled = False

    def _erase(self):
        if self._drawn:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
            self._drawn = False
