"""Decodificación rápida para los modelos de lenguaje recurrentes del curso.

Las lecciones 05 y 06 le piden al estudiante escribir greedy, beam search y el
muestreo con temperatura sobre una interfaz *didáctica* (un diccionario de
log-probabilidades por prefijo, o un arreglo de logits de NumPy). Este paquete
hace lo mismo pero **rápido**, sobre un modelo de Keras y lotes de ids, para
generar texto de verdad (lecciones 05 y 06 y el desafío):

* No llama a ``model.predict`` por token. Arma un *modelo de un paso*
  (:mod:`~helpers.decoding.stepper`) que comparte los pesos entrenados (la capa
  ``Embedding``, la celda de cada capa recurrente y la ``Dense`` final), lleva
  el estado oculto de un paso al siguiente y compila el bucle de generación con
  ``tf.function``. El costo por token no depende del largo del prompt: el
  prompt se procesa una sola vez (*prefill*).
* Una estrategia por módulo, como los *samplers* de keras_hub: greedy y
  muestreo con temperatura, top-k y top-p (:mod:`~helpers.decoding.samplers`,
  :meth:`Decoder.generate`); beam search (:mod:`~helpers.decoding.beam`,
  :meth:`Decoder.beam`) decodifica los haces de todos los prompts como **un**
  lote, con fin de secuencia por haz y penalización por largo.
* Prompts de largos distintos en un mismo lote: se rellenan a la izquierda con
  ``<pad>`` (id 0) y los pasos de relleno no tocan el estado, igual que la
  máscara de ``Embedding(mask_zero=True)`` en el modelo completo. El relleno
  nunca se genera (y se pueden prohibir otros ids, p. ej. ``<unk>``).
* :meth:`Decoder.score` da ``log P(continuación | prompt)`` en lote (para la
  perplejidad de un texto) y :meth:`Decoder.next_log_probs` envuelve el modelo
  en la interfaz de diccionario de la lección 05, guardando el estado de cada
  prefijo (:mod:`~helpers.decoding.scoring`).

También trae utilidades de la lección 05 que no son ejercicios: convertir una
tabla de probabilidades en la interfaz ``next_log_probs``
(:func:`table_next_log_probs`), sortear tablas al azar para las verificaciones
(:func:`random_table`) y, reexportado desde :mod:`helpers.plots`, dibujar un
árbol de probabilidades (:func:`plot_search_tree`).

Estructura que espera (ver :mod:`helpers.lm`): ``Embedding(V, E, mask_zero=True)``
→ una o más capas ``SimpleRNN``/``GRU``/``LSTM`` (con ``Dropout`` opcional entre
ellas) → ``Dense(V)`` que devuelve **logits**. El decodificador condiciona en
*toda* la historia (prompt + lo generado), que es lo mismo que llamar al modelo
completo con la secuencia entera sin recortar: el modelo acepta cualquier largo.
No depende de :mod:`helpers.lm`. TensorFlow se importa recién al usar
:class:`Decoder` (las tablas y el dibujo no lo necesitan).

Ejemplo::

    from helpers.decoding import Decoder
    dec = Decoder(lm.model, eos_id=lm.vocab.eos_id)
    out = dec.generate([[3, 57, 12]], max_new_tokens=20, strategy="sample",
                       temperature=0.8, top_p=0.9, seed=0)
    out.tokens[0], out.log_probs[0]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from helpers.decoding.tables import random_table, table_next_log_probs
from helpers.plots import plot_search_tree

if TYPE_CHECKING:
    from helpers.decoding.decoder import Beam, Decoder, Generation

__all__ = ["Beam", "Decoder", "Generation", "plot_search_tree", "random_table",
           "table_next_log_probs"]

_LAZY = {"Beam", "Decoder", "Generation"}


def __getattr__(name: str) -> Any:
    # Decoder, Generation y Beam viven con TensorFlow: se importan al pedirlos.
    if name in _LAZY:
        return getattr(importlib.import_module("helpers.decoding.decoder"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
