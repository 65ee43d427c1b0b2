"""Caché de modelos entrenados: :func:`load_or_train` carga de disco o entrena y guarda.

Carpeta ``COURSE_MODEL_DIR`` si está definida; si no, ``<caché de datos>/models``
(la caché de datos es ``COURSE_DATA_DIR`` o la carpeta por usuario de
:func:`helpers.data.cache_dir`). La clave es un hash de (los documentos
tokenizados del corpus —o sea, el texto y el tokenizador—, la configuración
completa, el modo rápido/completo, la versión mayor de Keras y la versión del
formato). Se escribe en una carpeta temporal que se renombra de una vez
(atómico); si la caché está incompleta o dañada, se avisa y se reentrena.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from helpers.config import fast_mode
from helpers.lm.configuration import LMConfig, default_config
from helpers.lm.model import build_lm
from helpers.lm.splits import Splits, load_splits
from helpers.lm.training import TrainedLM, train_lm
from helpers.lm.vocab import Vocab

__all__ = ["CACHE_FORMAT", "MODEL_DIR_ENV", "cache_key", "is_cached", "load_or_train", "model_cache_dir"]

MODEL_DIR_ENV = "COURSE_MODEL_DIR"
#: Se incrementa si cambia la arquitectura o el formato de lo guardado.
CACHE_FORMAT = 1

_WEIGHTS, _VOCAB, _META = "model.weights.h5", "vocab.json", "meta.json"


def model_cache_dir() -> Path:
    """Carpeta de la caché de modelos (``COURSE_MODEL_DIR`` o ``<caché de datos>/models``)."""
    env = os.environ.get(MODEL_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from helpers.data import cache_dir

    return cache_dir() / "models"


def _docs_sha256(splits: Splits) -> str:
    h = hashlib.sha256()
    for name, docs in splits.items():
        h.update(json.dumps([name, docs], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def cache_key(config: LMConfig, splits: Splits) -> str:
    """Hash de (documentos tokenizados, configuración, modo, Keras mayor, formato)."""
    payload = {
        "docs_sha256": _docs_sha256(splits),
        "config": config.to_dict(),
        "fast": fast_mode(),
        "keras_major": keras.__version__.split(".")[0],
        "format": CACHE_FORMAT,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _load_cached(path: Path, key: str, config: LMConfig, splits: Splits) -> TrainedLM:
    meta = json.loads((path / _META).read_text(encoding="utf-8"))
    if meta.get("key") != key:
        raise ValueError("la clave guardada no coincide")
    vocab = Vocab.from_json((path / _VOCAB).read_text(encoding="utf-8"))
    if vocab != Vocab.fit(splits.train, min_count=config.min_count):
        raise ValueError("el vocabulario guardado no coincide con el de los datos")
    model = build_lm(len(vocab), config)
    # Con el optimizador construido se restauran también sus variables (Adam),
    # guardadas junto con los pesos: se puede seguir entrenando desde ahí.
    model.optimizer.build(model.trainable_variables)
    model.load_weights(path / _WEIGHTS)
    return TrainedLM(model=model, vocab=vocab, config=config, splits=splits,
                     history=meta["history"], from_cache=True, cache_path=path)


def _write(trained: TrainedLM, folder: Path, key: str) -> None:
    trained.model.save_weights(folder / _WEIGHTS)
    (folder / _VOCAB).write_text(trained.vocab.to_json(), encoding="utf-8")
    meta = {
        "key": key,
        "config": trained.config.to_dict(),
        "fast": fast_mode(),
        "history": trained.history,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    # meta.json se escribe último: una carpeta sin él está incompleta.
    (folder / _META).write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                encoding="utf-8")


def _save(trained: TrainedLM, path: Path, key: str, *, overwrite: bool = False) -> Path:
    """Escribe en una carpeta temporal hermana y la renombra (atómico).

    Si otro proceso ya guardó la misma clave mientras entrenábamos (p. ej. dos
    notebooks en paralelo con la caché vacía), se conserva la suya salvo que
    ``overwrite`` (``retrain=True``) pida reemplazarla.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        _write(trained, tmp, key)
        if path.exists():
            if not overwrite:
                shutil.rmtree(tmp, ignore_errors=True)
                return path
            shutil.rmtree(path, ignore_errors=True)
        try:
            os.replace(tmp, path)
        except OSError:
            # Otro proceso escribió la misma clave mientras tanto: vale la suya.
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _entry_path(config: LMConfig, splits: Splits, cache_dir: str | os.PathLike[str] | None) -> Path:
    root = Path(cache_dir) if cache_dir is not None else model_cache_dir()
    return root / f"{config.corpus}-{config.cell}-{cache_key(config, splits)[:20]}"


def is_cached(config: LMConfig | None = None, *, splits: Splits | None = None,
              cache_dir: str | os.PathLike[str] | None = None) -> bool:
    """¿Hay en la caché una entrada para ``config`` (sin cargarla)?

    Sirve para avisar, antes de empezar, cuántos modelos hay que entrenar.
    """
    config = config or default_config()
    splits = splits or load_splits(config)
    return _entry_path(config, splits, cache_dir).exists()


def _quiet(verbose: Any) -> bool:
    return verbose in (0, False)


def load_or_train(config: LMConfig | None = None, *, splits: Splits | None = None,
                  cache_dir: str | os.PathLike[str] | None = None, retrain: bool = False,
                  verbose: Any = "auto", progress: bool | None = None) -> TrainedLM:
    """Carga de la caché el modelo de ``config`` o lo entrena y lo guarda.

    ``config`` por omisión: :func:`default_config` (según el modo). ``splits``:
    documentos propios (por ejemplo, otro texto en el desafío) en lugar del
    corpus ``config.corpus``; la clave de caché incluye los documentos, así que
    cada texto tiene su entrada. ``cache_dir`` por omisión: :func:`model_cache_dir`.
    ``retrain=True`` ignora la caché. Una entrada incompleta o dañada se avisa,
    se borra y se reentrena.

    Si tiene que entrenar, lo dice antes de empezar (una línea) y muestra el
    progreso según ``verbose`` (ver :func:`train_lm`): por omisión una línea
    por época; con ``verbose=0``, una barra por épocas con la perplejidad de
    validación. Con ``verbose=0, progress=False`` no escribe nada (quien llama
    informa, por ejemplo una línea por modelo).
    """
    config = config or default_config()
    splits = splits or load_splits(config)
    key = cache_key(config, splits)
    path = _entry_path(config, splits, cache_dir)
    if path.exists() and not retrain:
        try:
            return _load_cached(path, key, config, splits)
        except Exception as exc:  # noqa: BLE001 - cualquier daño → reentrenar
            warnings.warn(f"Caché de modelo dañada o incompleta en {path} ({exc}); "
                          "se vuelve a entrenar.", stacklevel=2)
            shutil.rmtree(path, ignore_errors=True)
    why = "Se vuelve a entrenar (retrain=True)" if retrain else "No está en la caché: se entrena ahora"
    if not (_quiet(verbose) and progress is False):
        print(f"{why} ({config.epochs} épocas como máximo)…", flush=True)
    trained = train_lm(config, splits=splits, verbose=verbose, progress=progress)
    try:
        _save(trained, path, key, overwrite=retrain)
        trained.cache_path = path
    except OSError as exc:
        warnings.warn(f"No se pudo guardar el modelo en la caché {path} ({exc}).", stacklevel=2)
    return trained
