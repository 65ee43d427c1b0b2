"""Modelo de lenguaje por palabras (ventana → próxima palabra), reutilizable y con caché.

En la lección 04 el estudiante arma y entrena su propio modelo; este paquete
entrena el de la misma configuración (con *dropout*) que las lecciones 05 y 06
**cargan del disco en segundos** (o entrenan ellas mismas si la caché está
vacía), y los de la comparación opcional con LSTM y GRU::

    from helpers.lm import load_or_train
    lm = load_or_train()                 # configuración de la lección, según el modo
    lm.model, lm.vocab, lm.config, lm.splits, lm.history

Lo que la lección le pide escribir al estudiante (las ventanas de una lista de
tokens, la red a partir de tres tamaños, la perplejidad desde logits y
objetivos, la próxima palabra de un contexto) **no** está acá con esa interfaz:
este paquete trabaja con documentos ya codificados, ``tf.data``, una
:class:`LMConfig` (:func:`build_lm` la recibe, compila el modelo y agrega
*dropout*) y modelos enteros.

Un módulo por tema: :mod:`~helpers.lm.vocab` (:class:`Vocab`),
:mod:`~helpers.lm.configuration` (:class:`LMConfig`, :func:`default_config`),
:mod:`~helpers.lm.splits` (:class:`Splits`, corpus y partición),
:mod:`~helpers.lm.datasets` (ventanas), :mod:`~helpers.lm.model`
(:func:`build_lm`), :mod:`~helpers.lm.metrics` (log-probabilidades y
perplejidad), :mod:`~helpers.lm.training` (:func:`train_lm`) y
:mod:`~helpers.lm.cache` (:func:`load_or_train`).

Lo que :mod:`helpers.decoding` y :mod:`helpers.ngram` suponen de estos modelos:

* :class:`Vocab`: ``<pad>`` = 0, ``<unk>`` = 1, ``</s>`` = 2 (fin de documento),
  ``<s>`` = 3 (comienzo de documento), definidos en :mod:`helpers.tokens`;
  después las palabras, de la más frecuente a la menos (empates en orden
  alfabético), ajustado **solo con el entrenamiento** y con un ``min_count``
  opcional (las más raras → ``<unk>``).
* :func:`build_lm`: ``Input((None,), int32)`` → ``Embedding(V, E, mask_zero=True)``
  → una o más capas recurrentes (todas menos la última con
  ``return_sequences=True``) → ``Dense(V)`` con **logits**. Puede haber capas
  ``Dropout`` entre la embedding, las recurrentes y la densa (en inferencia no
  hacen nada; quien arme un modelo de a un paso las puede saltear).
  Muchos-a-uno: la salida para una ventana son los logits del token que la sigue.
  Las ventanas se rellenan **a la izquierda** con 0; con ``mask_zero=True`` eso
  equivale a correr las capas recurrentes desde el estado cero sobre los tokens
  reales. La celda por omisión es la de Elman (``SimpleRNN``).
* Documentos y objetivos: cada documento (en *Martín Fierro*, un verso) es
  ``<s> w1 … wk </s>``. Se predicen ``w1 … wk`` y ``</s>`` (``k + 1``
  objetivos); ``<s>`` y ``<pad>`` nunca son objetivo; ``<unk>`` sí (es la clase
  «palabra rara»). El contexto de cada objetivo son los ``context_len`` tokens
  anteriores **del mismo documento**, empezando por ``<s>``, rellenado con
  ``<pad>`` a la izquierda. Los baselines de :mod:`helpers.ngram` usan los mismos
  objetivos y el mismo vocabulario.

La caché de modelos entrenados se describe en :mod:`helpers.lm.cache`.
"""

from __future__ import annotations

from helpers.lm.cache import (
    CACHE_FORMAT,
    MODEL_DIR_ENV,
    cache_key,
    is_cached,
    load_or_train,
    model_cache_dir,
)
from helpers.lm.configuration import LMConfig, default_config
from helpers.lm.datasets import encode_windows, make_dataset
from helpers.lm.metrics import PerplexityCallback, evaluate_perplexity, target_log_probs
from helpers.lm.model import CELLS, build_lm
from helpers.lm.splits import Splits, corpus_groups, load_splits, split_groups
from helpers.lm.training import TrainedLM, train_lm
from helpers.lm.vocab import Vocab

__all__ = [
    "CACHE_FORMAT",
    "CELLS",
    "MODEL_DIR_ENV",
    "LMConfig",
    "PerplexityCallback",
    "Splits",
    "TrainedLM",
    "Vocab",
    "build_lm",
    "cache_key",
    "corpus_groups",
    "default_config",
    "encode_windows",
    "evaluate_perplexity",
    "is_cached",
    "load_or_train",
    "load_splits",
    "make_dataset",
    "model_cache_dir",
    "split_groups",
    "target_log_probs",
    "train_lm",
]
