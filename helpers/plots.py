"""Dibujos pequeños para las lecciones (no evaluados).

Diagramas del grafo de una RNN, en vista compacta y desenrollada en el tiempo,
hechos con matplotlib. No contienen ninguna cuenta de las que escribe el
estudiante: solo cajas y flechas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["draw_compact_rnn", "draw_unrolled_rnn"]

_BOX = {"x": "#dbe9f6", "h": "#fde2c4", "z": "#d9f0d3"}


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def _node(ax: Any, x: float, y: float, text: str, kind: str) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "fc": _BOX[kind], "ec": "0.3"})


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float],
           label: str = "", color: str = "0.25", style: str = "-|>", ls: str = "-",
           rad: float = 0.0) -> None:
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": style, "color": color, "lw": 1.3, "ls": ls,
                            "shrinkA": 13, "shrinkB": 13,
                            "connectionstyle": f"arc3,rad={rad}"})
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        if abs(end[1] - start[1]) < 1e-9:  # horizontal: etiqueta arriba
            ax.text(mx, my + 0.12, label, fontsize=8, color=color, ha="center", zorder=4)
        else:  # vertical: etiqueta a la derecha
            ax.text(mx + 0.1, my, label, fontsize=8, color=color, va="center", zorder=4)


def draw_compact_rnn(ax: Any = None, title: str | None = "Vista compacta") -> Any:
    """La celda de Elman en vista compacta: ``h`` con un lazo sobre sí misma."""
    ax = _axes(ax, (2.6, 3.2))
    _node(ax, 0, 0, "$x_t$", "x")
    _node(ax, 0, 1, "$h_t$", "h")
    _node(ax, 0, 2, "$z_t$", "z")
    _arrow(ax, (0, 0), (0, 1), "$W_{hx}$")
    _arrow(ax, (0, 1), (0, 2), "$W_{hy}$")
    ax.annotate("", xy=(0.24, 0.86), xytext=(0.24, 1.14), zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": "C3", "lw": 1.3,
                            "shrinkA": 0, "shrinkB": 0,
                            "connectionstyle": "arc3,rad=-1.6"})
    ax.text(0.75, 1.0, "$W_{hh}$\n(retardo de\nun paso)", fontsize=8, color="C3", va="center")
    ax.set_xlim(-0.8, 1.9)
    ax.set_ylim(-0.5, 2.5)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def draw_unrolled_rnn(T: int = 4, *, outputs: str = "all", truncate: int | None = None,
                      ax: Any = None, title: str | None = None) -> Any:
    """Grafo de una RNN de Elman desenrollado ``T`` pasos.

    ``outputs="all"`` dibuja una salida por paso (muchos a muchos,
    ``return_sequences=True``); ``outputs="last"`` solo la del último paso
    (muchos a uno). ``truncate=k`` sombrea los últimos ``k`` pasos: el tramo
    por el que viaja el gradiente en la BPTT truncada.
    """
    if outputs not in {"all", "last"}:
        raise ValueError("outputs debe ser 'all' o 'last'")
    if T < 1:
        raise ValueError("T debe ser al menos 1")
    ax = _axes(ax, (1.25 * (T + 1) + 0.5, 3.2))
    _node(ax, 0, 1, "$h_0$", "h")
    for t in range(1, T + 1):
        _node(ax, t, 0, f"$x_{{{t}}}$", "x")
        _node(ax, t, 1, f"$h_{{{t}}}$", "h")
        _arrow(ax, (t, 0), (t, 1), "$W_{hx}$" if t == 1 else "")
        _arrow(ax, (t - 1, 1), (t, 1), "$W_{hh}$" if t == 1 else "", color="C3")
        if outputs == "all" or t == T:
            _node(ax, t, 2, f"$z_{{{t}}}$", "z")
            _arrow(ax, (t, 1), (t, 2), "$W_{hy}$" if (t == 1 or outputs == "last") else "")
    if truncate is not None:
        k = max(1, min(int(truncate), T))
        left = T - k + 0.5
        ax.axvspan(left, T + 0.5, ymin=0.05, ymax=0.95, color="C3", alpha=0.08, zorder=0)
        ax.annotate("", xy=(left, -0.55), xytext=(T + 0.4, -0.55),
                    arrowprops={"arrowstyle": "-|>", "color": "C3", "lw": 1.3, "ls": "--"})
        ax.text((left + T + 0.5) / 2, -0.8, f"el gradiente recorre {k} paso(s)",
                ha="center", fontsize=8, color="C3")
    ax.set_xlim(-0.6, T + 0.6)
    ax.set_ylim(-1.0, 2.5)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
