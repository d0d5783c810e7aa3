"""A small progress bar on stderr (no dependency).

    bar = Progress(total=220, desc="epoch 1/10")
    for i in range(220):
        ...
        bar.update(loss=163.2)        # one step done; shows the running mean
    bar.close()

On a terminal the line is redrawn in place (at most every ``interval``
seconds); otherwise only the final line is written, so logs stay short.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress", "format_seconds"]


def format_seconds(s: float) -> str:
    s = max(0, int(round(s)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


class Progress:
    def __init__(self, total: int, desc: str = "", stream=None, width: int = 24,
                 interval: float = 0.1, enabled: bool = True, items_per_step: int = 0):
        self.total = max(int(total), 0)
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interval = interval
        self.enabled = enabled
        self.items_per_step = items_per_step  # > 0: also show items (images) per second
        self.n = 0
        self.loss_sum = 0.0
        self.loss_n = 0
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._closed = False
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self.tty = False

    @property
    def mean_loss(self) -> float | None:
        return self.loss_sum / self.loss_n if self.loss_n else None

    def line(self) -> str:
        elapsed = time.perf_counter() - self.start
        frac = self.n / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        parts = [f"{self.desc} [{bar}] {self.n}/{self.total}" if self.desc else f"[{bar}] {self.n}/{self.total}"]
        if self.loss_n:
            parts.append(f"loss {self.mean_loss:.3f}")
        if self.n and elapsed > 0:
            rate = self.n / elapsed
            parts.append(f"{rate:.2f} it/s" if rate >= 1 else f"{1 / rate:.2f} s/it")
            if self.items_per_step:
                parts.append(f"{rate * self.items_per_step:.0f} img/s")
            if self.n < self.total:
                parts.append(f"eta {format_seconds((self.total - self.n) / rate)}")
            else:
                parts.append(f"{format_seconds(elapsed)}")
        return " ".join(parts)

    def update(self, n: int = 1, loss: float | None = None) -> None:
        """Count ``n`` steps done; ``loss`` (if given) enters the running mean."""
        self.n += n
        if loss is not None:
            self.loss_sum += float(loss)
            self.loss_n += 1
        if self.enabled and self.tty:
            now = time.perf_counter()
            if now - self._last_draw >= self.interval or self.n >= self.total:
                self._last_draw = now
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()

    def close(self, suffix: str = "") -> None:
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            text = self.line() + (" " + suffix if suffix else "")
            self.stream.write(("\r" + text + "\x1b[K\n") if self.tty else text + "\n")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
