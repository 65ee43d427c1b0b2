"""Modo rápido (``COURSE_FAST``) y semillas (``seed_everything``)."""

from __future__ import annotations

import random

import numpy as np
import pytest

import helpers
from helpers.config import fast_mode, pick, seed_everything


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "si", "sí", "Sí", "on"])
def test_fast_mode_on(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_FAST", value)
    assert fast_mode() is True
    full, fast = object(), object()
    assert pick(full=full, fast=fast) is fast


@pytest.mark.parametrize("value", [None, "", "0", "false", "no", "off", "2", "rápido"])
def test_fast_mode_off(value: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if value is None:
        monkeypatch.delenv("COURSE_FAST", raising=False)
    else:
        monkeypatch.setenv("COURSE_FAST", value)
    assert fast_mode() is False
    assert pick(full=30, fast=2) == 30


def test_fast_mode_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_FAST", "0")
    assert helpers.pick(full="completo", fast="rápido") == "completo"
    monkeypatch.setenv("COURSE_FAST", "1")
    assert helpers.pick(full="completo", fast="rápido") == "rápido"
    assert helpers.fast_mode()


def _numpy_python_draws() -> tuple[list[float], list[int], float]:
    return np.random.rand(4).tolist(), np.random.randint(0, 1000, 3).tolist(), random.random()


def test_seed_everything_numpy_and_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)  # se restaura al terminar
    seed_everything(123)
    a = _numpy_python_draws()
    seed_everything(123)
    b = _numpy_python_draws()
    seed_everything(124)
    c = _numpy_python_draws()
    assert a == b
    assert a[0] != c[0] and a[2] != c[2]
    import os

    assert os.environ["PYTHONHASHSEED"] == "124"


def _keras_draws() -> list[list[float]]:
    import keras

    layer = keras.layers.SimpleRNN(3)
    out = layer(np.ones((1, 2, 4), dtype="float32"))
    return [
        keras.random.normal((5,)).numpy().tolist(),
        keras.random.uniform((2, 2)).numpy().tolist(),
        out.numpy().tolist(),
        [w.tolist() for w in layer.get_weights()],
    ]


@pytest.mark.parametrize("deterministic_ops", [True, False])
def test_seed_everything_keras(deterministic_ops: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("keras")
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    seed_everything(7, deterministic_ops=deterministic_ops)
    a = _keras_draws()
    seed_everything(7, deterministic_ops=deterministic_ops)
    b = _keras_draws()
    seed_everything(8, deterministic_ops=deterministic_ops)
    c = _keras_draws()
    assert a == b  # mismos números: sorteos de keras.random e inicialización de capas
    for x, y in zip(a, c):
        assert x != y
