"""Dibujos pequeños para las lecciones (no evaluados).

Diagramas del grafo de una RNN, en vista compacta y desenrollada en el tiempo,
y el árbol de probabilidades de la lección 05 (:func:`plot_search_tree`), hechos
con matplotlib. No contienen ninguna cuenta de las que escribe el estudiante:
solo cajas, flechas y las probabilidades que se les pasan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["draw_compact_rnn", "draw_unrolled_rnn", "plot_search_tree"]

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


# ---------------------------------------------------------------------------
# Árbol de probabilidades (lección 05)
# ---------------------------------------------------------------------------
Prefix = tuple[Any, ...]
_PATH_COLORS = ("C3", "C2", "C0", "C1", "C4")


def _tree_nodes(children: Callable[[Prefix], Mapping[Any, float]], root: Prefix,
                depth: int) -> list[tuple[Prefix, float]]:
    """(prefijo, probabilidad del camino) de cada nodo, en preorden."""
    nodes: list[tuple[Prefix, float]] = []

    def walk(prefix: Prefix, prob: float, level: int) -> None:
        nodes.append((prefix, prob))
        if level == depth:
            return
        for tok, p in children(prefix).items():
            walk(prefix + (tok,), prob * p, level + 1)

    walk(tuple(root), 1.0, 0)
    return nodes


def _tree_layout(nodes: list[tuple[Prefix, float]]
                 ) -> tuple[list[tuple[Prefix, float]], dict[Prefix, float]]:
    """Las hojas (una por fila, de arriba abajo) y la altura de cada nodo (la media de sus hijos)."""
    import numpy as np

    leaves = [n for n in nodes if not any(m[0][:-1] == n[0] for m in nodes)]
    ypos: dict[Prefix, float] = {pref: -float(i) for i, (pref, _) in enumerate(leaves)}
    for pref, _ in sorted(nodes, key=lambda n: -len(n[0])):
        if pref not in ypos:
            kids = [ypos[m[0]] for m in nodes if m[0][:-1] == pref and m[0] in ypos]
            ypos[pref] = float(np.mean(kids))
    return leaves, ypos


def _path_colors(paths: Mapping[str, Sequence[Any]] | None, base: int
                 ) -> tuple[dict[Prefix, str], list[tuple[str, str]]]:
    on_path: dict[Prefix, str] = {}
    legend = []
    for j, (label, seq) in enumerate((paths or {}).items()):
        color = _PATH_COLORS[j % len(_PATH_COLORS)]
        full = tuple(seq)
        for n in range(base + 1, len(full) + 1):
            on_path.setdefault(full[:n], color)
        legend.append((label, color))
    return on_path, legend


def _draw_edge(ax: Any, pref: Prefix, prob: float, probs: Mapping[Prefix, float],
               ypos: Mapping[Prefix, float], base: int, on_path: Mapping[Prefix, str]) -> None:
    x, y = len(pref) - base, ypos[pref]
    parent = pref[:-1]
    px, py = len(parent) - base, ypos[parent]
    color = on_path.get(pref, "0.6")
    ax.plot([px, x], [py, y], color=color, lw=2.5 if pref in on_path else 1, zorder=1)
    edge = prob / probs[parent] if probs[parent] else 0.0
    ax.text((px + x) / 2, (py + y) / 2 + 0.12, f"{edge:g}", fontsize=8,
            ha="center", color="0.25")


def _draw_node(ax: Any, pref: Prefix, prob: float, ypos: Mapping[Prefix, float], base: int,
               is_leaf: bool, on_path: Mapping[Prefix, str]) -> None:
    labelled = is_leaf and len(pref) > base
    text = str(pref[-1]) if pref else "∅"
    if labelled:
        text += f"  ({prob:.3g})"
    ax.text(len(pref) - base, ypos[pref], text, ha="left" if labelled else "center",
            va="center", fontsize=9, zorder=3,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": on_path.get(pref, "0.5")})


def plot_search_tree(children: Callable[[Prefix], Mapping[Any, float]],
                     root: Prefix, *, depth: int = 3,
                     paths: Mapping[str, Sequence[Any]] | None = None,
                     ax: Any = None, title: str | None = None) -> Any:
    """Dibuja el árbol de continuaciones ``children(prefijo) -> {token: prob}``.

    Cada arista lleva su probabilidad condicional; cada hoja, la probabilidad
    del camino. ``paths`` = ``{"etiqueta": secuencia}`` resalta caminos (p. ej.
    el de greedy y el de beam search) con colores distintos."""
    import matplotlib.pyplot as plt

    nodes = _tree_nodes(children, root, depth)
    leaves, ypos = _tree_layout(nodes)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 * (depth + 1), 0.55 * len(leaves) + 1))
    base = len(root)
    on_path, legend = _path_colors(paths, base)
    probs = dict(nodes)
    for pref, prob in nodes:
        if len(pref) > base:
            _draw_edge(ax, pref, prob, probs, ypos, base, on_path)
        _draw_node(ax, pref, prob, ypos, base, (pref, prob) in leaves, on_path)
    for label, color in legend:
        ax.plot([], [], color=color, lw=2.5, label=label)
    if legend:
        ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_xlim(-0.4, depth + 0.9)
    ax.set_ylim(-len(leaves) + 0.3, 0.8)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    return ax
