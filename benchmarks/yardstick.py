"""How quickly this interpreter on this machine runs a fixed piece of plain Python: a
yardstick printed beside every benchmark's figures, so that runs on different machines, or on
the same machine in a busier hour, can be compared.

The same code has measured about twice as slow on one machine as on another, and on one
machine a fifth slower from one hour to the next (docs/performance.md); the yardstick, taken
at the start and at the end of a run, says which kind of machine and hour a run had.
"""

import statistics
import sys
import time
from pathlib import Path


class _Row:
    __slots__ = ("name", "note")

    def __init__(self, name: str, note: str):
        self.name, self.note = name, note

    def label(self) -> str:
        return self.name + ": " + self.note


_NAMES = [f"Person {number}" for number in range(100)]


def _work() -> int:
    """Objects, attributes, method calls, dictionaries and strings joined, as a template or
    a form uses them (no whole numbers written as text: 3.12.1 does that 1.7 times slower
    than 3.11 and 3.13, which would make the yardstick a measure of the version)."""
    rows = [_Row(name, "seen at home") for name in _NAMES]
    written = 0
    for _ in range(1500):
        parts, seen = [], {}
        for row in rows:
            seen[row.name] = seen.get(row.name, 0) + 1
            parts.append(row.label())
        written += len("".join(parts))
    return written


def yardstick_ms(rounds: int = 7) -> tuple[float, float]:
    """CPU ms for `_work()`: the quickest round (the least disturbed) and the median."""
    spent = []
    for _ in range(rounds):
        began = time.process_time()
        _work()
        spent.append((time.process_time() - began) * 1000)
    return min(spent), statistics.median(spent)


def describe(when: str = "") -> str:
    """One line: the interpreter and the yardstick (`when`: "at the end", say)."""
    quickest, median = yardstick_ms()
    return (f"Python {sys.version.split()[0]} ({Path(sys.executable).resolve()}); yardstick"
            f"{' ' + when if when else ''}: {quickest:.1f} ms of CPU (median {median:.1f}; lower is quicker)")
