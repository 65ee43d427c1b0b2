"""La celda que corrige el modelo que entrena el estudiante (lección 04,
``test_entrenar_modelo``) pierde los puntos con modelos equivocados.

No es una función (el estudiante escribe su ``compile`` y su ``fit``), así que
no tiene módulo en ``tests/wrong/``: acá se le dan modelos que un error
plausible deja, y la celda tiene que fallar con cada uno.

* sin entrenar (se olvidó el ``fit`` o lo corrió con 0 épocas);
* con otra cantidad de salidas que el vocabulario (armado con otro ``Vocab``).
"""

from __future__ import annotations

import pytest
from notebook_harness import GradedNotebook

# Sus fixtures de módulo (modelos, corpus, clases simuladas) se arman una sola vez:
# todas las pruebas del módulo van al mismo proceso de xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("training_cell")

NOTEBOOK = "clase_rnn/04_prediccion_proxima_palabra.ipynb"


@pytest.fixture(scope="module")
def nb() -> GradedNotebook:
    return GradedNotebook.load(NOTEBOOK)


def _run(nb: GradedNotebook, modelo) -> BaseException | None:
    ns = nb.namespace()
    ns["modelo"] = modelo
    try:
        exec(compile(nb.grade_cells["test_entrenar_modelo"][0], "test_entrenar_modelo", "exec"), ns)
    except Exception as exc:  # noqa: BLE001 - cualquier fallo cuesta los puntos
        return exc
    return None


def _vocab_size() -> int:
    from helpers.lm import Vocab, default_config, load_splits

    cfg = default_config()
    train, _val, _test = load_splits(cfg)
    return len(Vocab.fit(train, min_count=cfg.min_count))


def test_an_untrained_model_loses_the_points(nb: GradedNotebook) -> None:
    ns = nb.namespace()
    modelo = ns["build_language_model"](_vocab_size(), 16, 16)
    exc = _run(nb, modelo)
    assert isinstance(exc, AssertionError) and "unigrama" in str(exc), exc


def test_a_model_with_the_wrong_output_size_loses_the_points(nb: GradedNotebook) -> None:
    ns = nb.namespace()
    modelo = ns["build_language_model"](_vocab_size() + 7, 16, 16)
    exc = _run(nb, modelo)
    assert isinstance(exc, AssertionError) and "forma" in str(exc), exc
