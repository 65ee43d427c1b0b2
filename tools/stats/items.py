"""Estadísticas de ítems (teoría clásica de los tests), sin dividir nunca por cero.

Definiciones (las mismas que escribe el informe):

* **facilidad** = media / puntaje posible (Moodle: *facility index*);
* **% completo / % cero**: estudiantes con el puntaje máximo / con 0;
* **discriminación** = correlación de Pearson entre el puntaje del ítem y el
  **resto** de la tarea (total menos ese ítem), como el *discrimination index*
  de Moodle (que la da ×100) y el *item–rest* (RIR) de CodeGrade: restar el
  ítem evita que se correlacione consigo mismo;
* **media por quintil**: los estudiantes ordenados por su total y partidos en
  cinco grupos (del más bajo al más alto), como PrairieLearn;
* **alfa de Cronbach** = k/(k−1)·(1 − Σ var(ítem) / var(total)).

Una cantidad que no existe (varianza cero, menos de dos estudiantes o de dos
ítems) es ``None``: el informe dice «no aplica».
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Umbrales de las señales, tomados de la documentación de Moodle («Quiz
#: report statistics», ver el README): facilidad ≥ 95 % es «extremely easy»;
#: ≤ 10 % reúne «very difficult» (6–10 %) y «extremely difficult or something
#: wrong with the question» (≤ 5 %); una discriminación < 20 % es «very weak»
#: y una negativa, «question probably invalid».
TOO_EASY = 0.95
TOO_HARD = 0.10
LOW_DISCRIMINATION = 0.20
#: Alfa de Cronbach («coefficient of internal consistency» en Moodle): más de
#: 75 % es satisfactorio; menos de 64 %, la tarea en conjunto no discrimina.
ALPHA_GOOD = 0.75
ALPHA_POOR = 0.64
QUINTILES = 5


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Correlación de Pearson; ``None`` si alguna de las dos no varía o n < 2."""
    if x.size < 2:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(dx @ dx), float(dy @ dy)
    # Puntajes redondeados a la centésima: una suma de cuadrados menor que
    # esto es cero (ruido de punto flotante de la resta de la media).
    if sxx <= 1e-12 * max(1.0, x.size) or syy <= 1e-12 * max(1.0, y.size):
        return None
    return float(dx @ dy) / float(np.sqrt(sxx * syy))


def quintile_groups(totals: np.ndarray) -> list[np.ndarray]:
    """Índices de los estudiantes por quintil del total (del más bajo al más
    alto); empates en orden estable. Con menos de cinco estudiantes hay
    quintiles vacíos."""
    order = np.argsort(totals, kind="stable")
    return [g for g in np.array_split(order, QUINTILES)]


def cronbach_alpha(scores: np.ndarray) -> float | None:
    """Alfa de Cronbach de una matriz estudiantes × ítems (sin ``NaN``)."""
    n, k = scores.shape
    if n < 2 or k < 2:
        return None
    total_var = float(scores.sum(axis=1).var())
    if total_var <= 1e-12:
        return None
    return k / (k - 1) * (1.0 - float(scores.var(axis=0).sum()) / total_var)


@dataclass
class ItemStats:
    name: str
    notebook: str
    points: float
    n: int
    mean: float | None
    facility: float | None
    full: float | None
    zero: float | None
    discrimination: float | None
    quintiles: list[float | None]
    counts: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def item_stats(name: str, notebook: str, points: float, x: np.ndarray, rest: np.ndarray,
               groups: list[np.ndarray], valid: np.ndarray) -> ItemStats:
    """Un ítem: puntajes ``x`` y resto ``rest`` de todos los estudiantes;
    ``valid`` marca los que cuentan (los pendientes de nota manual no)."""
    xv, rv = x[valid], rest[valid]
    n = int(xv.size)
    if n == 0 or points <= 0:
        return ItemStats(name, notebook, points, n, None, None, None, None, None,
                         [None] * QUINTILES)
    mean = float(xv.mean())
    quint: list[float | None] = []
    for g in groups:
        g = g[valid[g]]
        quint.append(float(x[g].mean()) / points if g.size else None)
    return ItemStats(name, notebook, points, n, mean, mean / points,
                     float(np.mean(xv >= points - 1e-9)), float(np.mean(xv <= 1e-9)),
                     pearson(xv, rv), quint)


def flags_for(s: ItemStats, pending: int) -> list[str]:
    """Las señales de un ítem (ver los umbrales arriba)."""
    out = []
    if s.facility is not None and s.facility >= TOO_EASY:
        out.append("casi todos la resuelven")
    if s.facility is not None and s.facility <= TOO_HARD:
        out.append("casi nadie la resuelve")
    if s.discrimination is not None and s.discrimination < 0:
        out.append("discriminación negativa (¿prueba equivocada?)")
    elif s.discrimination is not None and s.discrimination < LOW_DISCRIMINATION:
        out.append("discrimina poco (¿prueba ambigua?)")
    if pending:
        out.append(f"{pending} pendientes de nota manual")
    return out


def alpha_reading(alpha: float | None) -> str:
    if alpha is None:
        return "no aplica"
    if alpha >= ALPHA_GOOD:
        return "satisfactoria"
    if alpha < ALPHA_POOR:
        return "insatisfactoria: la tarea en conjunto no separa a los estudiantes"
    return "aceptable"
