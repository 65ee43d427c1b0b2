"""Modo rápido, semillas y un TensorFlow sin mensajes de arranque: una sola
fuente de verdad para todas las lecciones.

El modo rápido (``COURSE_FAST=1``, lo fija ``make test``) achica corpus y épocas
para que las pruebas corran en minutos. Las lecciones lo leen **solo** a través
de :func:`fast_mode` o :func:`pick`; el valor por defecto es la lección completa.

``import helpers`` llama a :func:`quiet_tensorflow`: por eso la celda ``setup``
de cada lección importa ``helpers`` **antes** que ``keras`` o ``tensorflow``.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import random
import re
import sys
import tempfile
from typing import Any, TypeVar

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


# Líneas que TensorFlow escribe en el descriptor 2 (C++, no Python) al
# importarse: registro de fábricas de CUDA/cuDNN/cuBLAS, oneDNN, instrucciones
# de CPU... Con formato de absl/glog (``I0000 00:00:1795…  123 port.cc:153] …``
# o ``2024-01-01 12:00:00.000000: I tensorflow/… .cc:123] …``), más dos líneas
# sueltas. Las de nivel F (fatal) no se tocan.
TF_STARTUP_NOISE = re.compile(
    r"^(?:WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:.]+\s+\d+ \S+:\d+\] .*"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] \S+:\d+\] .*"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate "
    r"compiler flags\.)$")


def _without_tf_startup_noise(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if not TF_STARTUP_NOISE.match(line.rstrip("\r\n")))


class _QuietLoader(importlib.abc.Loader):
    """Ejecuta el ``__init__`` de ``tensorflow`` con el descriptor 2 desviado a un
    archivo; después escribe en el descriptor 2 lo que no sea ruido de arranque
    (una advertencia o un error de verdad se siguen viendo)."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        with tempfile.TemporaryFile() as captured:
            try:
                saved = os.dup(2)
            except OSError:  # sin descriptor 2: nada que desviar
                self.loader.exec_module(module)
                return
            os.dup2(captured.fileno(), 2)
            try:
                self.loader.exec_module(module)
            finally:
                try:
                    sys.stderr.flush()
                except (AttributeError, OSError, ValueError):
                    pass
                os.dup2(saved, 2)
                os.close(saved)
                module.__loader__ = self.loader
                if getattr(module, "__spec__", None) is not None:
                    module.__spec__.loader = self.loader
                captured.seek(0)
                rest = _without_tf_startup_noise(captured.read().decode("utf-8", "replace"))
                if rest:
                    os.write(2, rest.encode("utf-8"))


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Intercepta (una sola vez) la primera importación de ``tensorflow``."""

    course_quiet_tensorflow = True

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "tensorflow":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _QuietLoader(spec.loader)
        return spec


def quiet_tensorflow() -> None:
    """TensorFlow sin ruido en las salidas de los notebooks (también en Colab,
    donde nadie fija variables de entorno).

    * ``TF_CPP_MIN_LOG_LEVEL=3`` (si no está fijada): oculta los mensajes de C++
      de nivel INFO a ERROR que TensorFlow escribe al entrenar, como
      ``E0000 … node_def_util.cc … use_unbounded_threadpool`` (TF 2.20–2.21),
      que no tienen que ver con el código del estudiante. Los errores de
      verdad llegan igual, como excepciones de Python.
    * Los mensajes que TensorFlow escribe *al importarse*, antes de leer esa
      variable (``All log messages before absl::InitializeLog()``, oneDNN,
      CUDA), se filtran durante la primera importación.

    Tiene efecto si se llama antes de importar ``tensorflow`` (o ``keras``).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    if any(getattr(f, "course_quiet_tensorflow", False) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
