"""Dos operaciones de arreglos que usan varios módulos, escritas una sola vez.

* :func:`left_pad`: secuencias de ids de largos distintos → matriz rellenada a la
  **izquierda** (el relleno queda antes de los tokens reales, como en las
  ventanas del modelo de lenguaje).
* :func:`log_softmax`: log-probabilidades a partir de logits en ``float64``,
  sin pasar por probabilidades (que podrían redondearse a 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers.tokens import PAD_ID

__all__ = ["left_pad", "log_softmax"]


def left_pad(rows: Sequence[Sequence[int]], pad_id: int = PAD_ID,
             width: int | None = None) -> np.ndarray:
    """Matriz ``int32`` ``(len(rows), width)`` con cada fila alineada a la derecha.

    ``width`` por omisión: la fila más larga. Una matriz 2D de NumPy se devuelve
    tal cual (como ``int32``).
    """
    if isinstance(rows, np.ndarray) and rows.ndim == 2:
        return rows.astype(np.int32)
    lists = [list(map(int, r)) for r in rows]
    if not lists:
        raise ValueError("se necesita al menos un prompt")
    if any(len(r) == 0 for r in lists):
        raise ValueError("cada prompt necesita al menos un token (p. ej. <s>)")
    width = max(len(r) for r in lists) if width is None else width
    out = np.full((len(lists), width), pad_id, dtype=np.int32)
    for i, r in enumerate(lists):
        out[i, width - len(r):] = r
    return out


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log softmax`` sobre el último eje, en ``float64`` y numéricamente estable."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
