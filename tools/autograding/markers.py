"""Marcadores de nbgrader para las pruebas ocultas."""

from __future__ import annotations

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


def hidden_line_range(source: str) -> tuple[int, int] | None:
    """Líneas (1-based, inclusive) entre los marcadores de pruebas ocultas."""
    lines = source.split("\n")
    try:
        begin = next(i for i, line in enumerate(lines) if BEGIN_HIDDEN in line) + 1
        end = next(i for i, line in enumerate(lines) if END_HIDDEN in line) + 1
    except StopIteration:
        return None
    return begin, end
