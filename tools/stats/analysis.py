"""Todo el análisis de una tarea a partir de :class:`~tools.stats.data.ClassData`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from tools.stats import items as it
from tools.stats import mistakes as m
from tools.stats.data import ClassData

#: Clases de resultado que se cuentan por ítem, en el orden de las tablas.
COUNTED = (m.MISSING, m.FAILED, m.ERROR, m.TIMEOUT, m.NOT_DONE, m.PENDING)


@dataclass
class Analysis:
    data: ClassData
    totals: np.ndarray
    possible: float
    items: list[it.ItemStats]
    notebooks: list[it.ItemStats]
    alpha: float | None
    mistakes: dict[str, list[m.Group]] = field(default_factory=dict)

    @property
    def flagged(self) -> list[it.ItemStats]:
        return [s for s in self.items if s.flags]


def analyse(data: ClassData) -> Analysis:
    scores = np.nan_to_num(data.scores, nan=0.0)
    totals = scores.sum(axis=1)
    groups = it.quintile_groups(totals)
    kinds = data.kinds()
    out_items = []
    for j, item in enumerate(data.items):
        valid = ~data.pending[:, j]
        s = it.item_stats(item.label, item.notebook, item.points, scores[:, j],
                          totals - scores[:, j], groups, valid)
        s.counts = {k: int(v) for k, v in Counter(kinds[:, j]).items() if k in COUNTED}
        s.flags = it.flags_for(s, s.counts.get(m.PENDING, 0))
        out_items.append(s)
    out_nbs = []
    everyone = np.ones(len(data.students), dtype=bool)
    for nb in data.notebooks:
        cols = [j for j, item in enumerate(data.items) if item.notebook == nb]
        x = scores[:, cols].sum(axis=1)
        s = it.item_stats(nb, nb, sum(data.items[j].points for j in cols), x, totals - x,
                          groups, everyone)
        s.counts = dict(sum((Counter({k: v for k, v in o.counts.items() if k != m.MISSING})
                             for o in (out_items[j] for j in cols)), Counter()))
        s.counts[m.MISSING] = int((~data.handed[:, data.notebooks.index(nb)]).sum())
        out_nbs.append(s)
    failures = [(data.items[j].label, data.students[s], ename, evalue)
                for (s, j), (ename, evalue) in sorted(data.errors.items())
                if not data.pending[s, j]]
    return Analysis(data, totals, float(sum(i.points for i in data.items)), out_items, out_nbs,
                    it.cronbach_alpha(scores), m.group_failures(failures))
