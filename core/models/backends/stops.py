"""Stop sequences over streamed text, shared by the backends that decode tokens themselves.

A stop string can arrive split over several tokens, so text that might be its beginning is held
back until the next token shows whether it is.
"""

from __future__ import annotations

from collections.abc import Sequence


def find_stop(text: str, stop: Sequence[str]) -> int | None:
    """Position of the earliest stop string in `text`, or None."""
    positions = [text.find(s) for s in stop if s and s in text]
    return min(positions) if positions else None


def stop_prefix_len(text: str, stop: Sequence[str]) -> int:
    """Length of the longest tail of `text` that is the beginning of some stop string."""
    longest = 0
    for s in stop:
        for n in range(min(len(s) - 1, len(text)), longest, -1):
            if text.endswith(s[:n]):
                longest = n
                break
    return longest


class StopFilter:
    """Pass decoded text through; hold back a possible stop string's start; cut at a full one."""

    def __init__(self, stop: Sequence[str]) -> None:
        self.stop = [s for s in stop if s]
        self.pending = ""
        self.stopped = False
        """True once a stop string was seen: the caller ends the generation."""

    def feed(self, text: str) -> str:
        """The part of the text so far that is safe to show now."""
        self.pending += text
        cut = find_stop(self.pending, self.stop)
        if cut is not None:
            safe, self.pending, self.stopped = self.pending[:cut], "", True
            return safe
        keep = stop_prefix_len(self.pending, self.stop)
        safe = self.pending[: len(self.pending) - keep]
        self.pending = self.pending[len(safe) :]
        return safe

    def flush(self) -> str:
        """What was held back, once the generation ended without completing a stop string."""
        rest, self.pending = self.pending, ""
        return rest
