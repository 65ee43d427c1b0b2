"""Tablas de continuaciones (la interfaz de diccionario de la lección 05)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["random_table", "table_next_log_probs"]


def table_next_log_probs(table: Mapping[tuple[Any, ...], Mapping[Any, float]]
                         ) -> Callable[[tuple[Any, ...]], dict[Any, float]]:
    """Convierte ``{prefijo: {token: probabilidad}}`` en ``next_log_probs``.

    La función devuelta recibe un prefijo (tupla) y devuelve ``{token:
    log-probabilidad}`` en el orden de la tabla. Un prefijo que no está en la
    tabla no tiene continuaciones: devuelve ``{}`` (la secuencia terminó). Las
    probabilidades no se renormalizan: si una fila suma menos de 1, la masa que
    falta es de continuaciones que la tabla no muestra. Una probabilidad 0 se
    omite (su logaritmo sería -inf)."""
    logs = {tuple(pref): {tok: float(np.log(p)) for tok, p in row.items() if p > 0}
            for pref, row in table.items()}

    def next_log_probs(prefix: tuple[Any, ...]) -> dict[Any, float]:
        return dict(logs.get(tuple(prefix), {}))

    return next_log_probs


def random_table(seed: int | np.random.Generator, *, vocab: Sequence[Any] = "abcd",
                 depth: int = 3, max_children: int = 3, p_end: float = 0.2,
                 concentration: float | tuple[float, float] = 1.0,
                 root: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], dict[Any, float]]:
    """Un árbol de continuaciones al azar, completo hasta ``depth`` tokens.

    Cada prefijo (salvo la raíz) termina con probabilidad ``p_end``; si no,
    tiene entre 1 y ``max_children`` hijos distintos de ``vocab`` con
    probabilidades de una Dirichlet(``concentration``) (suman 1). Con un par
    ``(a, b)``, la concentración de cada prefijo se sortea log-uniforme entre
    ``a`` y ``b``: mezcla distribuciones picudas (chica) y parejas (grande).
    Sirve para comparar búsquedas en muchos casos: pasale el resultado a
    :func:`table_next_log_probs`."""
    rng = np.random.default_rng(seed)
    if isinstance(concentration, tuple):
        lo, hi = np.log(concentration[0]), np.log(concentration[1])
    else:
        lo = hi = float(np.log(concentration))
    tokens = list(vocab)
    table: dict[tuple[Any, ...], dict[Any, float]] = {}

    def grow(prefix: tuple[Any, ...], level: int) -> None:
        if level == depth or (level > 0 and rng.random() < p_end):
            return
        n = int(rng.integers(1, min(max_children, len(tokens)) + 1))
        toks = [tokens[i] for i in rng.choice(len(tokens), size=n, replace=False)]
        probs = rng.dirichlet(np.full(n, np.exp(rng.uniform(lo, hi))))
        table[prefix] = {t: float(p) for t, p in zip(toks, probs, strict=True)}
        for t in toks:
            grow(prefix + (t,), level + 1)

    grow(tuple(root), 0)
    return table
