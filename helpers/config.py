"""Modo rápido y semillas: una sola fuente de verdad para todas las lecciones.

El modo rápido (``COURSE_FAST=1``, lo fija ``make test``) achica corpus y épocas
para que las pruebas corran en minutos. Las lecciones lo leen **solo** a través
de :func:`fast_mode` o :func:`pick`; el valor por defecto es la lección completa.
"""

from __future__ import annotations

import os
import random
from typing import TypeVar

import numpy as np

T = TypeVar("T")

FAST_ENV = "COURSE_FAST"
_TRUE = {"1", "true", "yes", "si", "sí", "on"}


def fast_mode() -> bool:
    """``True`` si la variable de entorno ``COURSE_FAST`` pide el modo rápido."""
    return os.environ.get(FAST_ENV, "").strip().lower() in _TRUE


def pick(full: T, fast: T) -> T:
    """Devuelve ``fast`` en modo rápido y ``full`` en la lección completa.

    >>> pick(full=30, fast=2)  # doctest: +SKIP
    """
    return fast if fast_mode() else full


def seed_everything(seed: int = 42, *, deterministic_ops: bool = True) -> None:
    """Fija las semillas de Python, NumPy y Keras/TensorFlow.

    Con ``deterministic_ops`` pide además operaciones deterministas a
    TensorFlow, para que dos ejecuciones den los mismos números. Si TensorFlow
    no está instalado, fija solo Python y NumPy.
    """
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras
        import tensorflow as tf
    except ImportError:  # pragma: no cover - sin TensorFlow (p. ej. solo datos)
        return
    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
