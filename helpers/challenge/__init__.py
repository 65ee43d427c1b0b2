"""El desafío de la clase: métricas de generación y comprobaciones para corregirlo.

*«Utilizar otro dataset y poner en práctica la generación de secuencias con las
estrategias presentadas.»* El notebook ``desafio/desafio_generacion.ipynb`` lo
convierte en una tarea con nota. Este paquete tiene dos partes, en módulos
separados y reexportadas acá:

**Lo que el estudiante usa y no tiene que escribir**
(:mod:`helpers.challenge.metrics`; la lección 06 calcula estas métricas en una
celda de demostración, no en una función evaluada):

* :func:`distinct_n`, :func:`repetition_rate`, :func:`mean_length`,
  :func:`finished_rate`, :func:`text_metrics`: métricas sobre textos generados
  (listas de tokens), que ignoran los tokens especiales;
* :func:`table_row`: una fila de la tabla comparativa a partir de uno o más
  :class:`helpers.decoding.Generation` (uno por semilla: media y desvío), con
  la perplejidad que el propio modelo le da a lo generado.

**Lo que llaman las celdas de evaluación** (:mod:`helpers.challenge.checks` y
:mod:`helpers.challenge.model_checks`, también visibles para el estudiante):
:func:`check_corpus`, :func:`check_splits`, :func:`check_model` (el modelo de
Keras que arma el estudiante), :func:`check_report`, :func:`check_baselines`,
:func:`check_next_log_probs`, :func:`check_decoder_agreement` (sus greedy y
beam search contra el decodificador rápido), :func:`check_table` y
:func:`check_table_model`; :func:`as_lm` junta el modelo y el vocabulario para
las que leen ``lm``. El *Martín Fierro* se reconoce
por su contenido (:mod:`helpers.challenge.fierro`, con versos de control que
vienen en el paquete como archivo de datos).
"""

from __future__ import annotations

from helpers.challenge.checks import (
    check_baselines,
    check_corpus,
    check_report,
    check_splits,
    check_table,
    check_table_model,
)
from helpers.challenge.common import (
    MIN_HELDOUT_TARGETS,
    MIN_PROMPTS,
    MIN_TRAIN_TARGETS,
    MIN_WORDS,
    PARTITIONS,
    REPORT_MODELS,
    _count_upto,
)
from helpers.challenge.fierro import (
    MARTIN_FIERRO_MAX,
    MARTIN_FIERRO_VERSES,
    _as_stream,
    martin_fierro_share,
)
from helpers.challenge.metrics import (
    METRICS,
    MIN_SEEDS,
    PARAMS,
    SAMPLING,
    SPECIAL_TOKENS,
    SPREAD,
    STRATEGIES,
    aggregate,
    distinct_n,
    finished_rate,
    mean_length,
    perplexity_of,
    repetition_rate,
    table_row,
    text_metrics,
)
from helpers.challenge.model_checks import (
    LOGP_ATOL,
    as_lm,
    check_decoder_agreement,
    check_model,
    check_next_log_probs,
    sum_atol,
)

__all__ = [
    "LOGP_ATOL",
    "MIN_SEEDS",
    "SAMPLING",
    "SPREAD",
    "aggregate",
    "as_lm",
    "check_decoder_agreement",
    "check_model",
    "check_next_log_probs",
    "perplexity_of",
    "sum_atol",
    "MARTIN_FIERRO_MAX",
    "MARTIN_FIERRO_VERSES",
    "METRICS",
    "MIN_HELDOUT_TARGETS",
    "MIN_PROMPTS",
    "MIN_TRAIN_TARGETS",
    "MIN_WORDS",
    "PARAMS",
    "PARTITIONS",
    "REPORT_MODELS",
    "SPECIAL_TOKENS",
    "STRATEGIES",
    "_as_stream",
    "_count_upto",
    "check_baselines",
    "check_corpus",
    "check_report",
    "check_splits",
    "check_table",
    "check_table_model",
    "distinct_n",
    "finished_rate",
    "martin_fierro_share",
    "mean_length",
    "repetition_rate",
    "table_row",
    "text_metrics",
]
