"""Dibujos pequeños para las lecciones (no evaluados).

Diagramas del grafo de una RNN, en vista compacta y desenrollada en el tiempo,
y el árbol de probabilidades de la lección 05 (:func:`plot_search_tree`), hechos
con matplotlib. No contienen ninguna cuenta de las que escribe el estudiante:
solo cajas, flechas y las probabilidades que se les pasan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
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
    ax.text(x, y, text, ha="center", va="center", fontsize=15, zorder=3,
            bbox={"boxstyle": "round,pad=0.3", "fc": _BOX[kind], "ec": "0.3", "lw": 1.2})


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float],
           label: str = "", color: str = "0.25", style: str = "-|>", ls: str = "-",
           rad: float = 0.0) -> None:
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": style, "color": color, "lw": 1.6, "ls": ls,
                            "shrinkA": 17, "shrinkB": 17, "mutation_scale": 14,
                            "connectionstyle": f"arc3,rad={rad}"})
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        if abs(end[1] - start[1]) < 1e-9:  # horizontal: etiqueta arriba
            ax.text(mx, my + 0.1, label, fontsize=11, color=color, ha="center", zorder=4)
        else:  # vertical: etiqueta a la derecha
            ax.text(mx + 0.09, my, label, fontsize=11, color=color, va="center", zorder=4)


def draw_compact_rnn(ax: Any = None, title: str | None = "Vista compacta") -> Any:
    """La celda de Elman en vista compacta: ``h`` con un lazo sobre sí misma.

    Los límites de los ejes abrazan el dibujo (sin márgenes vacíos): en una
    figura con otros paneles, su ancho relativo es 2,2 por 2,9 de alto.
    """
    ax = _axes(ax, (2.6, 3.3))
    _node(ax, 0, 0, "$x_t$", "x")
    _node(ax, 0, 1, "$h_t$", "h")
    _node(ax, 0, 2, "$z_t$", "z")
    _arrow(ax, (0, 0), (0, 1), "$W_{hx}$")
    _arrow(ax, (0, 1), (0, 2), "$W_{hy}$")
    ax.annotate("", xy=(0.27, 0.85), xytext=(0.27, 1.15), zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": "C3", "lw": 1.6,
                            "shrinkA": 0, "shrinkB": 0, "mutation_scale": 14,
                            "connectionstyle": "arc3,rad=-1.6"})
    ax.text(0.72, 1.0, "$W_{hh}$\n(retardo de\nun paso)", fontsize=11, color="C3", va="center")
    ax.set_xlim(-0.45, 1.75)
    ax.set_ylim(-0.45, 2.45)
    if title:
        ax.set_title(title, fontsize=12)
    return ax


def draw_unrolled_rnn(T: int = 4, *, outputs: str = "all", truncate: int | None = None,
                      ax: Any = None, title: str | None = None) -> Any:
    """Grafo de una RNN de Elman desenrollado ``T`` pasos.

    ``outputs="all"`` dibuja una salida por paso (muchos a muchos,
    ``return_sequences=True``); ``outputs="last"`` solo la del último paso
    (muchos a uno). ``truncate=k`` sombrea los últimos ``k`` pasos: el tramo
    por el que viaja el gradiente en la BPTT truncada.

    Los límites de los ejes abrazan el dibujo: ``T + 1`` de ancho por 2,9 de
    alto (3,6 con ``truncate``), para armar figuras sin espacio vacío.
    """
    if outputs not in {"all", "last"}:
        raise ValueError("outputs debe ser 'all' o 'last'")
    if T < 1:
        raise ValueError("T debe ser al menos 1")
    bottom = -0.45 if truncate is None else -1.15
    ax = _axes(ax, (1.1 * (T + 1), 1.1 * (2.45 - bottom)))
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
        ax.axvspan(left, T + 0.45, ymin=0.02, ymax=0.98, color="C3", alpha=0.08, zorder=0)
        ax.annotate("", xy=(left + 0.05, -0.62), xytext=(T + 0.4, -0.62),
                    arrowprops={"arrowstyle": "-|>", "color": "C3", "lw": 1.6, "ls": "--",
                                "mutation_scale": 14})
        ax.text((left + T + 0.45) / 2, -0.95, f"el gradiente recorre {k} paso(s)",
                ha="center", fontsize=11, color="C3")
    ax.set_xlim(-0.45, T + 0.5)
    ax.set_ylim(bottom, 2.45)
    if title:
        ax.set_title(title, fontsize=12)
    return ax


# ---------------------------------------------------------------------------
# Árbol de probabilidades (lección 05)
# ---------------------------------------------------------------------------
Prefix = tuple[Any, ...]
_PATH_COLORS = ("C3", "C2", "C0", "C1", "C4")
# Estado de un nodo cuando se dibujan los haces (``beams``): guardado en el haz,
# podado (fue candidato y no entró) o no explorado (su padre ya había sido podado).
_KEPT, _PRUNED, _UNEXPLORED = "guardado", "podado", "no explorado"
_TREE_STYLE = {  # estado -> (color del texto y del borde, estilo de línea, grosor)
    _KEPT: ("0.1", "-", 1.6),
    _PRUNED: ("0.5", "--", 1.0),
    _UNEXPLORED: ("0.78", ":", 0.8),
}


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


def _tree_status(nodes: list[tuple[Prefix, float]], root: Prefix,
                 beams: Sequence[Iterable[Sequence[Any]]] | None) -> dict[Prefix, str]:
    """Estado de cada nodo según los haces guardados en cada paso (vacío sin ``beams``).

    Guardado: está en algún ``beams[i]``. Podado: su padre estaba guardado (fue
    candidato) pero él no. No explorado: el resto."""
    if beams is None:
        return {}
    kept = {tuple(root)} | {tuple(seq) for step in beams for seq in step}
    status = {}
    for pref, _ in nodes:
        if pref in kept:
            status[pref] = _KEPT
        elif pref[:-1] in kept:
            status[pref] = _PRUNED
        else:
            status[pref] = _UNEXPLORED
    return status


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
               ypos: Mapping[Prefix, float], base: int, on_path: Mapping[Prefix, str],
               status: str | None = None) -> None:
    x, y = len(pref) - base, ypos[pref]
    parent = pref[:-1]
    px, py = len(parent) - base, ypos[parent]
    if status is None:
        color, ls, lw = on_path.get(pref, "0.6"), "-", 1.0
    else:
        color, ls, lw = _TREE_STYLE[status]
        color = on_path.get(pref, color)
    ax.plot([px, x], [py, y], color=color, ls=ls, lw=2.5 if pref in on_path else lw, zorder=1)
    edge = prob / probs[parent] if probs[parent] else 0.0
    ax.text((px + x) / 2, (py + y) / 2 + 0.12, f"{edge:g}", fontsize=8,
            ha="center", color="0.25" if status != _UNEXPLORED else "0.7")


def _draw_node(ax: Any, pref: Prefix, prob: float, ypos: Mapping[Prefix, float], base: int,
               is_leaf: bool, on_path: Mapping[Prefix, str], status: str | None = None) -> None:
    text = str(pref[-1]) if pref else "∅"
    if status is not None and len(pref) > base:
        # Con los haces: cada nodo explorado lleva la probabilidad del camino; los podados, ✗.
        color, ls, _ = _TREE_STYLE[status]
        if status == _KEPT:
            text += f"\n{prob:.3g}"
        elif status == _PRUNED:
            text += f" ✗\n{prob:.3g}"
        ax.text(len(pref) - base, ypos[pref], text, ha="center", va="center", fontsize=8.5,
                zorder=3, color=color, fontweight="bold" if status == _KEPT else "normal",
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ls": ls,
                      "ec": on_path.get(pref, color), "lw": 1.6 if status == _KEPT else 1.0})
        return
    labelled = is_leaf and len(pref) > base
    if labelled:
        text += f"  ({prob:.3g})"
    ax.text(len(pref) - base, ypos[pref], text, ha="left" if labelled else "center",
            va="center", fontsize=9, zorder=3,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": on_path.get(pref, "0.5")})


def plot_search_tree(children: Callable[[Prefix], Mapping[Any, float]],
                     root: Prefix, *, depth: int = 3,
                     paths: Mapping[str, Sequence[Any]] | None = None,
                     ax: Any = None, title: str | None = None,
                     beams: Sequence[Iterable[Sequence[Any]]] | None = None) -> Any:
    """Dibuja el árbol de continuaciones ``children(prefijo) -> {token: prob}``.

    Cada arista lleva su probabilidad condicional; cada hoja, la probabilidad
    del camino. ``paths`` = ``{"etiqueta": secuencia}`` resalta caminos (p. ej.
    el de greedy y el de beam search) con colores distintos.

    ``beams`` (opcional) son los haces guardados después de cada paso de una
    beam search: ``beams[i]`` = las secuencias (con la raíz) que quedaron tras el
    paso ``i + 1``, por ejemplo las de tu ``beam_search`` con ``steps = i + 1``.
    Con ``beams``, como en la diapositiva, cada nodo explorado muestra la
    probabilidad del camino: los **guardados** en trazo lleno y negrita, los
    **podados** (candidatos que no entraron en el haz) grises, punteados y con ✗,
    y los **no explorados** (hijos de un podado) tenues; una leyenda lo explica."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    nodes = _tree_nodes(children, root, depth)
    leaves, ypos = _tree_layout(nodes)
    if ax is None:
        row = 0.55 if beams is None else 0.7   # dos renglones por nodo con los haces
        _, ax = plt.subplots(figsize=(2.4 * (depth + 1), row * len(leaves) + 1.2))
    base = len(root)
    on_path, legend = _path_colors(paths, base)
    status = _tree_status(nodes, root, beams)
    probs = dict(nodes)
    for pref, prob in nodes:
        if len(pref) > base:
            _draw_edge(ax, pref, prob, probs, ypos, base, on_path, status.get(pref))
        _draw_node(ax, pref, prob, ypos, base, (pref, prob) in leaves, on_path, status.get(pref))
    handles = [Line2D([], [], color=color, lw=2.5, label=label) for label, color in legend]
    if beams is not None:
        names = {_KEPT: "guardado en el haz", _PRUNED: "podado (✗)", _UNEXPLORED: "no explorado"}
        handles += [Line2D([], [], color=c, ls=ls, lw=lw, label=names[state])
                    for state, (c, ls, lw) in _TREE_STYLE.items()]
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
    ax.set_xlim(-0.4, depth + 0.9)
    ax.set_ylim(-len(leaves) + 0.3 - (0.6 if beams is not None else 0.0), 0.8)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    return ax
