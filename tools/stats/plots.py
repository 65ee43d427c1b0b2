"""Gráficos del informe (matplotlib, backend Agg), como PNG en bytes."""

from __future__ import annotations

import io

import numpy as np

from tools.stats import items as it
from tools.stats.analysis import Analysis


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def histogram(a: Analysis) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    bins = np.linspace(0, max(a.possible, 1e-9), 21)
    ax.hist(a.totals, bins=bins, color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"puntaje total (de {a.possible:g})")
    ax.set_ylabel("estudiantes")
    ax.set_title(f"{a.data.assignment}: distribución de los totales")
    return _png(fig)


def scatter(a: Analysis) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    pts = [(s.facility, s.discrimination, s.name) for s in a.items
           if s.facility is not None and s.discrimination is not None]
    for f, d, name in pts:
        color = "#c44e52" if d < it.LOW_DISCRIMINATION else "#4c72b0"
        ax.scatter(f, d, color=color, s=18)
        ax.annotate(name, (f, d), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.axhline(it.LOW_DISCRIMINATION, color="grey", lw=0.8, ls="--")
    ax.axvline(it.TOO_EASY, color="grey", lw=0.8, ls=":")
    ax.axvline(it.TOO_HARD, color="grey", lw=0.8, ls=":")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(min([-0.1] + [d for _, d, _ in pts]) - 0.05, 1.0)
    ax.set_xlabel("facilidad (media / puntaje posible)")
    ax.set_ylabel("discriminación (ítem–resto)")
    ax.set_title("Facilidad y discriminación por ejercicio")
    return _png(fig)


def quintiles(a: Analysis) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(1, 6)
    series = a.notebooks if len(a.items) > 12 else a.items
    for s in series:
        y = [np.nan if q is None else q for q in s.quintiles]
        ax.plot(x, y, marker="o", lw=1, label=s.name)
    ax.set_xticks(x, ["1 (más bajo)", "2", "3", "4", "5 (más alto)"])
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("quintil del puntaje total")
    ax.set_ylabel("facilidad en el quintil")
    ax.set_title("Media por quintil" + (" (por notebook)" if series is a.notebooks else ""))
    ax.legend(fontsize=6, ncol=2, loc="lower right")
    return _png(fig)
