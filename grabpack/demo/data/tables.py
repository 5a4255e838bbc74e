"""Readers for the text tables in this package: a table reads better than a literal."""

from __future__ import annotations


def lines(block: str) -> tuple[str, ...]:
    """One entry per non-blank line of a text block: keeps the banks readable."""
    return tuple(line.strip() for line in block.strip().splitlines() if line.strip())


def words(text: str) -> tuple[str, ...]:
    """A comma-separated list."""
    return tuple(word.strip() for word in text.split(","))


def weights(text: str) -> dict[str, float]:
    """``"low 38, medium 47"`` as ``{"low": 38.0, "medium": 47.0}``."""
    return {key: float(value) for key, value in (item.split() for item in words(text))}


def rows(block: str) -> tuple[tuple[str, ...], ...]:
    """A table written one row a line, cells separated by ``|``."""
    return tuple(tuple(cell.strip() for cell in line.split("|")) for line in lines(block))
