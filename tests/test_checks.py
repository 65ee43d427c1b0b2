"""Las comprobaciones de ``helpers.checks``: pasan con lo correcto y, con lo
incorrecto, lanzan ``AssertionError`` con un mensaje en castellano que dice qué
se esperaba, qué se obtuvo y dónde."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pytest

from helpers import checks
from helpers.checks import (
    check_close,
    check_equal,
    check_finite,
    check_keys,
    check_raises,
    check_relative_error,
    check_shape,
    check_type,
    max_abs_error,
    optional_exercise,
    relative_error,
)


def fails(fn: Callable[..., object], *args: object, **kwargs: object) -> str:
    """Ejecuta la comprobación, exige ``AssertionError`` y devuelve su mensaje."""
    with pytest.raises(AssertionError) as err:
        fn(*args, **kwargs)
    return str(err.value)


def test_all_public_functions_are_tested() -> None:
    tested = {
        "check_type", "check_shape", "check_finite", "check_close", "check_relative_error",
        "check_equal", "check_keys", "check_raises", "relative_error", "max_abs_error",
        "optional_exercise", "case", "graded_alone", "CASE_PREFIX",
    }
    assert set(checks.__all__) == tested


# --------------------------------------------------------------------------
# check_type
# --------------------------------------------------------------------------


def test_check_type() -> None:
    check_type([1, 2], list)
    check_type(3, (int, float))
    check_type(True, int)  # bool es int en Python
    msg = fails(check_type, (1, 2), list, "tokens")
    assert msg == "tokens: se esperaba un valor de tipo list y se obtuvo tuple."
    msg = fails(check_type, "3", (int, float))
    assert "se esperaba un valor de tipo int o float y se obtuvo str" in msg
    assert msg.startswith("resultado:")


# --------------------------------------------------------------------------
# check_shape
# --------------------------------------------------------------------------


def test_check_shape_passes_and_returns_array() -> None:
    out = check_shape([[1, 2, 3], [4, 5, 6]], (2, 3))
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)
    assert check_shape(np.float32(1.5), ()).shape == ()


def test_check_shape_accepts_tensorflow_tensors() -> None:
    tf = pytest.importorskip("tensorflow")
    out = check_shape(tf.zeros((4, 2)), [4, 2], "h")
    assert isinstance(out, np.ndarray) and out.shape == (4, 2)


def test_check_shape_messages() -> None:
    msg = fails(check_shape, np.zeros((2, 3)), (2, 4), "h_t")
    assert msg.startswith("h_t: la forma no coincide.")
    assert "Se esperaba (2, 4) y se obtuvo (2, 3)." in msg
    assert "transpuesta" not in msg
    msg = fails(check_shape, np.zeros((3, 2)), (2, 3))
    assert "Se esperaba (2, 3) y se obtuvo (3, 2)." in msg
    assert "¿falta o sobra una transpuesta?" in msg
    msg = fails(check_shape, None, (2,), "probs")
    assert "probs: se esperaba un arreglo y se obtuvo None" in msg and "return" in msg


def test_check_shape_ragged_input() -> None:
    msg = fails(check_shape, [[1, 2], [3]], (2, 2))
    assert "no se pudo convertir a un arreglo de NumPy" in msg


# --------------------------------------------------------------------------
# check_finite
# --------------------------------------------------------------------------


def test_check_finite() -> None:
    arr = check_finite([0.0, -1e300, 5])
    assert arr.tolist() == [0.0, -1e300, 5]
    check_finite(np.array(["a", "b"]))  # no numérico: no hay nada que revisar
    msg = fails(check_finite, np.array([[1.0, 2.0], [np.nan, np.inf]]), "loss")
    assert msg == "loss: se esperaban valores finitos y se obtuvo nan en la posición (1, 0)."
    msg = fails(check_finite, [1.0, -np.inf])
    assert "se obtuvo -inf en la posición (1,)" in msg


# --------------------------------------------------------------------------
# check_close
# --------------------------------------------------------------------------


def test_check_close_passes_within_tolerance() -> None:
    check_close([1.0, 2.0], [1.0 + 5e-6, 2.0])
    check_close(np.float32(0.1), 0.1)
    check_close([100.0], [101.0], atol=0.0, rtol=0.02)
    check_close(np.array([1, 2], dtype=np.int64), [1.0, 2.0])


def test_check_close_reports_first_mismatch() -> None:
    found = np.array([[1.0, 2.0], [3.0, 4.5]])
    expected = np.array([[1.0, 2.0], [3.25, 4.0]])
    msg = fails(check_close, found, expected, "W_hh", atol=1e-3)
    assert msg.startswith("W_hh: los valores no coinciden.")
    assert "Error absoluto máximo 0.5 (tolerancia 0.001)" in msg
    assert "Primera diferencia en la posición (1, 0): se esperaba 3.25 y se obtuvo 3." in msg


def test_check_close_rtol_in_message() -> None:
    msg = fails(check_close, [100.0], [110.0], atol=0.0, rtol=0.01)
    assert "tolerancia 0 + 0.01·|esperado|" in msg


def test_check_close_shape_type_and_finite_first() -> None:
    assert "Se esperaba (3,) y se obtuvo (2,)" in fails(check_close, [1.0, 2.0], [1.0, 2.0, 3.0])
    msg = fails(check_close, np.array([True, False]), [1.0, 0.0])
    assert "se esperaban números y se obtuvo un arreglo de tipo bool" in msg
    msg = fails(check_close, [1.0, np.nan], [1.0, 2.0])
    assert "se esperaban valores finitos y se obtuvo nan en la posición (1,)" in msg


def test_check_close_rejects_anything_against_nan_expected() -> None:
    fails(check_close, [1.0, 5.0], [1.0, np.nan])


# --------------------------------------------------------------------------
# check_relative_error, relative_error, max_abs_error
# --------------------------------------------------------------------------


def test_relative_error_and_max_abs_error() -> None:
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([3.0], [1.0]) == pytest.approx(0.5)  # |3-1| / (3+1)
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([], []) == 0.0
    assert max_abs_error([1.0, -2.0], [1.5, 1.0]) == pytest.approx(3.0)
    assert max_abs_error([], []) == 0.0


def test_check_relative_error() -> None:
    err = check_relative_error([1.0, 2.0 + 1e-9], [1.0, 2.0], tol=1e-6)
    assert 0 < err < 1e-6
    msg = fails(check_relative_error, [1.0, 3.0, 2.0], [1.0, 1.0, 1.9], "dW", tol=1e-7)
    assert msg.startswith("dW: error relativo 0.5 (tolerancia 1e-07).")
    assert "La peor posición es (1,): se esperaba 1 y se obtuvo 3." in msg
    assert "Se esperaba (2,) y se obtuvo (3,)" in fails(check_relative_error, [1, 2, 3], [1, 2])


# --------------------------------------------------------------------------
# check_equal
# --------------------------------------------------------------------------


def test_check_equal_lists() -> None:
    check_equal(["aquí", "me", "pongo"], ["aquí", "me", "pongo"])
    msg = fails(check_equal, ["aqui", "me"], ["aquí", "me"], "tokens")
    assert msg == "tokens: primera diferencia en el elemento 0: se esperaba 'aquí' y se obtuvo 'aqui'."
    msg = fails(check_equal, ["a", "b", "c"], ["a", "b"])
    assert "se esperaban 2 elementos y se obtuvieron 3" in msg
    assert "se esperaba ['a', 'b'] y se obtuvo ['a', 'b', 'c']" in msg


def test_check_equal_arrays() -> None:
    check_equal(np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]])
    msg = fails(check_equal, np.array([[1, 2], [3, 5]]), np.array([[1, 2], [3, 4]]), "ids")
    assert msg.startswith("ids: se esperaba") and "en la posición (1, 1)" in msg
    assert re.search(r"se esperaba .*4.* y se obtuvo .*5.*", msg)
    msg = fails(check_equal, np.array([1, 2, 3]), np.array([1, 2]))
    assert "Se esperaba (2,) y se obtuvo (3,)" in msg


def test_check_equal_scalars() -> None:
    check_equal(3, 3)
    check_equal("hola", "hola")
    msg = fails(check_equal, 4, 3, "n")
    assert msg == "n: se esperaba 3 y se obtuvo 4."
    assert "se esperaba ['a'] y se obtuvo 'a'" in fails(check_equal, "a", ["a"])


def test_check_equal_list_of_arrays_gives_spanish_message() -> None:
    fails(check_equal, [np.array([1, 2])], [np.array([1, 3])])


# --------------------------------------------------------------------------
# check_keys
# --------------------------------------------------------------------------


def test_check_keys() -> None:
    check_keys({"a": 1, "b": 2}, ["b", "a"])
    check_keys(OrderedDict(x=1), {"x"})
    msg = fails(check_keys, {"a": 1, "c": 3}, ["a", "b"], "vocab")
    assert msg == "vocab: se esperaban las claves ['a', 'b']; faltan ['b'] y sobran ['c']."
    assert "faltan ['b']." in fails(check_keys, {"a": 1}, ["a", "b"])
    assert "sobran ['z']." in fails(check_keys, {"a": 1, "z": 0}, ["a"])
    msg = fails(check_keys, [("a", 1)], ["a"])
    assert "se esperaba un valor de tipo Mapping y se obtuvo list" in msg


# --------------------------------------------------------------------------
# check_raises
# --------------------------------------------------------------------------


def test_check_raises() -> None:
    def bad() -> None:
        raise ValueError("longitud negativa")

    exc = check_raises(bad, ValueError)
    assert isinstance(exc, ValueError) and str(exc) == "longitud negativa"
    check_raises(bad, Exception)  # una subclase también vale
    msg = fails(check_raises, lambda: 1 / 0, ValueError, "ventanas")
    assert msg == "ventanas: se esperaba ValueError y se obtuvo ZeroDivisionError: division by zero"
    msg = fails(check_raises, lambda: None, ValueError)
    assert msg == "resultado: se esperaba que lanzara ValueError y no lanzó nada."


# optional_exercise
def test_optional_exercise_tolerates_only_the_stub(capsys) -> None:
    def stub():
        raise NotImplementedError

    with optional_exercise("f"):
        stub()
    assert "sin resolver (f)" in capsys.readouterr().out
    with optional_exercise("f"):
        pass
    assert "✔ f" in capsys.readouterr().out
    with pytest.raises(AssertionError), optional_exercise("f"):
        raise AssertionError("respuesta equivocada")
    assert "✔" not in capsys.readouterr().out


# --------------------------------------------------------------------------
# case y graded_alone
# --------------------------------------------------------------------------


def test_case_names_the_failed_case() -> None:
    with checks.case("lote 1"):
        check_equal(1, 1)
    with pytest.raises(AssertionError) as err, checks.case("secuencia vacía (T = 0)"):
        check_equal(3, 4, "f(...)")
    assert str(err.value) == "Caso «secuencia vacía (T = 0)»: f(...): se esperaba 4 y se obtuvo 3."
    # Una excepción de la función del estudiante también nombra el caso.
    with pytest.raises(AssertionError) as err, checks.case("empate entre tokens"):
        np.stack([])
    assert str(err.value).startswith("Caso «empate entre tokens»: tu función lanzó ValueError:")
    # Casos anidados: vale el más específico.
    with pytest.raises(AssertionError) as err, checks.case("afuera"), checks.case("adentro"):
        check_equal(1, 2)
    assert str(err.value).startswith("Caso «adentro»: ")
    # El esqueleto sin resolver sigue siendo NotImplementedError (ejercicios opcionales).
    with pytest.raises(NotImplementedError), checks.case("x"):
        raise NotImplementedError


def test_graded_alone_swaps_references_only_inside_the_block() -> None:
    ns: dict[str, object] = {}
    exec("def paso(x):\n    return x + 100\n"          # el del estudiante, equivocado
         "def recorrer(xs):\n    return [paso(x) for x in xs]\n"
         "def _paso_ref(x):\n    return x + 1\n", ns)
    with checks.graded_alone(ns, paso="_paso_ref"):
        assert ns["recorrer"]([1, 2]) == [2, 3]  # type: ignore[operator]
    assert ns["recorrer"]([1]) == [101]  # type: ignore[operator]
    # Un error dentro del bloque no deja la referencia puesta.
    with pytest.raises(ZeroDivisionError), checks.graded_alone(ns, paso="_paso_ref"):
        raise ZeroDivisionError
    assert ns["recorrer"]([1]) == [101]  # type: ignore[operator]


def test_graded_alone_without_references_uses_the_students_and_says_so() -> None:
    ns: dict[str, object] = {"paso": lambda x: x}
    with checks.graded_alone(ns, paso="_paso_ref"):
        pass
    with pytest.raises(AssertionError) as err, checks.graded_alone(ns, paso="_paso_ref"):
        check_equal(1, 2, "recorrer(...)")
    msg = str(err.value)
    assert msg.startswith("recorrer(...): se esperaba 2 y se obtuvo 1.")
    assert "usa tu `paso`" in msg and "versión correcta de `paso`" in msg
    assert ns["paso"](5) == 5  # type: ignore[operator]
