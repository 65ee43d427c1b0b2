"""Configuración de un modelo de lenguaje (:class:`LMConfig`) y la de la lección 04."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from helpers._classes import same_class
from helpers.config import pick

__all__ = ["CELL_NAMES", "LMConfig", "default_config"]

#: Tipos de capa recurrente aceptados en :class:`LMConfig` (``cell``); las capas
#: de Keras de cada uno están en :data:`helpers.lm.model.CELLS`.
CELL_NAMES: tuple[str, ...] = ("simple_rnn", "gru", "lstm")


@dataclass(frozen=True, eq=False)
class LMConfig:
    """Todo lo que define un modelo entrenado (y su clave de caché).

    La celda por omisión es la de Elman (``SimpleRNN``), la de esta clase; LSTM
    y GRU quedan para comparar.
    """

    corpus: str = "martin_fierro"
    #: tokens de contexto de cada ventana (``<s>`` incluido).
    context_len: int = 10
    #: palabras con menos apariciones en el entrenamiento → ``<unk>``.
    min_count: int = 2
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    split_seed: int = 42
    #: si no es None, usa solo los primeros ``max_groups`` grupos del corpus.
    max_groups: int | None = None
    cell: str = "simple_rnn"
    embed_dim: int = 64
    units: tuple[int, ...] = (128,)
    dropout: float = 0.3
    batch_size: int = 64
    learning_rate: float = 2e-3
    epochs: int = 30
    patience: int = 3
    seed: int = 42

    def __post_init__(self) -> None:
        if self.cell not in CELL_NAMES:
            raise ValueError(f"cell debe ser uno de {sorted(CELL_NAMES)} y es {self.cell!r}")
        object.__setattr__(self, "units", tuple(int(u) for u in self.units))
        if not self.units:
            raise ValueError("units: hace falta al menos una capa recurrente")
        if self.context_len < 1:
            raise ValueError("context_len debe ser >= 1")

    # Igualdad por campos, también contra una LMConfig creada antes de recargar
    # helpers (el autocorrector lo hace antes de cada celda de evaluación).
    def __eq__(self, other: object) -> bool:
        if not same_class(other, LMConfig):
            return NotImplemented
        return self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(dataclasses.astuple(self))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["units"] = list(self.units)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LMConfig:
        d = dict(d)
        d["units"] = tuple(d["units"])
        return cls(**d)


def default_config(corpus: str = "martin_fierro") -> LMConfig:
    """La configuración de la lección 04 para el modo actual (rápido o completo).

    Celda de Elman (``SimpleRNN``). ``context_len = 10``: en *Martín Fierro* el
    verso más largo tiene 9 palabras, así que 10 tokens (``<s>`` + 9) alcanzan
    para que cada objetivo vea su verso entero (la lección lo calcula con los
    datos).
    """
    return LMConfig(
        corpus=corpus,
        cell="simple_rnn",
        embed_dim=pick(full=64, fast=32),
        units=pick(full=(128,), fast=(64,)),
        batch_size=pick(full=64, fast=128),
        epochs=pick(full=30, fast=2),
        patience=3,
    )
