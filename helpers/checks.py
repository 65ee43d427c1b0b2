"""Comprobaciones para las celdas de evaluación, con devoluciones en castellano.

Cada función lanza ``AssertionError`` con un mensaje que dice **qué se
esperaba y qué se obtuvo** (forma, tipo, error máximo y la primera posición que
no coincide), para que el estudiante sepa por dónde empezar a buscar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

__all__ = [
    "check_type",
    "check_shape",
    "check_finite",
    "check_close",
    "check_relative_error",
    "check_equal",
    "check_keys",
    "check_raises",
    "optional_exercise",
    "case",
    "graded_alone",
    "CASE_PREFIX",
    "relative_error",
    "max_abs_error",
]


def _fmt(x: Any) -> str:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return f"{x:.6g}"
    return repr(x)


def _as_array(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "numpy") and callable(value.numpy):  # tensores de TF/Keras
        value = value.numpy()
    if value is None:
        raise AssertionError(
            f"{name}: se esperaba un arreglo y se obtuvo None "
            "(¿falta un `return` en tu función?)."
        )
    try:
        return np.asarray(value)
    except Exception as exc:  # pragma: no cover - objetos exóticos
        raise AssertionError(
            f"{name}: no se pudo convertir a un arreglo de NumPy ({exc})."
        ) from exc


def check_type(value: Any, expected: type | tuple[type, ...], name: str = "resultado") -> None:
    """Comprueba que ``value`` sea una instancia de ``expected``."""
    if not isinstance(value, expected):
        names = (
            " o ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        raise AssertionError(
            f"{name}: se esperaba un valor de tipo {names} "
            f"y se obtuvo {type(value).__name__}."
        )


def check_shape(found: Any, expected_shape: Iterable[int], name: str = "resultado") -> np.ndarray:
    """Comprueba la forma; devuelve ``found`` como arreglo de NumPy."""
    arr = _as_array(found, name)
    expected = tuple(int(d) for d in expected_shape)
    if arr.shape != expected:
        hint = ""
        if sorted(arr.shape) == sorted(expected):
            hint = " Las dimensiones son las mismas en otro orden: ¿falta o sobra una transpuesta?"
        raise AssertionError(
            f"{name}: la forma no coincide. Se esperaba {expected} y se obtuvo {arr.shape}.{hint}"
        )
    return arr


def check_finite(found: Any, name: str = "resultado") -> np.ndarray:
    """Comprueba que no haya NaN ni infinitos."""
    arr = _as_array(found, name)
    if np.issubdtype(arr.dtype, np.number) and not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise AssertionError(
            f"{name}: se esperaban valores finitos y se obtuvo {_fmt(arr[bad])} "
            f"en la posición {bad}."
        )
    return arr


def max_abs_error(found: Any, expected: Any) -> float:
    """Máximo de ``|found - expected|``."""
    a = np.asarray(found, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def relative_error(found: Any, expected: Any, eps: float = 1e-12) -> float:
    """Error relativo máximo, ``max |a - b| / max(|a| + |b|, eps)`` (como CS231n)."""
    a = np.asarray(found, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    if not a.size:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), eps)))


def _first_mismatch(bad: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(bad)[0])


def check_close(
    found: Any,
    expected: Any,
    name: str = "resultado",
    *,
    atol: float = 1e-5,
    rtol: float = 0.0,
) -> None:
    """Compara valores numéricos elemento a elemento: ``|f - e| <= atol + rtol·|e|``."""
    exp = np.asarray(expected, dtype=np.float64)
    arr = check_shape(found, exp.shape, name)
    if not np.issubdtype(arr.dtype, np.number):
        raise AssertionError(
            f"{name}: se esperaban números y se obtuvo un arreglo de tipo {arr.dtype}."
        )
    arr = check_finite(arr, name)
    f = arr.astype(np.float64)
    diff = np.abs(f - exp)
    # `~(diff <= tol)` y no `diff > tol`: un NaN en lo esperado nunca "coincide".
    bad = ~(diff <= atol + rtol * np.abs(exp))
    if np.any(bad):
        pos = _first_mismatch(bad)
        raise AssertionError(
            f"{name}: los valores no coinciden. Error absoluto máximo {_fmt(diff.max())} "
            f"(tolerancia {atol:g}" + (f" + {rtol:g}·|esperado|" if rtol else "") + "). "
            f"Primera diferencia en la posición {pos}: se esperaba {_fmt(exp[pos])} "
            f"y se obtuvo {_fmt(f[pos])}."
        )


def check_relative_error(
    found: Any, expected: Any, name: str = "resultado", *, tol: float = 1e-6
) -> float:
    """Comprueba que el error relativo máximo sea ``<= tol``; devuelve el error."""
    exp = np.asarray(expected, dtype=np.float64)
    arr = check_finite(check_shape(found, exp.shape, name), name).astype(np.float64)
    err = relative_error(arr, exp)
    if err > tol:
        rel = np.abs(arr - exp) / np.maximum(np.abs(arr) + np.abs(exp), 1e-12)
        pos = tuple(int(i) for i in np.unravel_index(np.argmax(rel), rel.shape))
        raise AssertionError(
            f"{name}: error relativo {_fmt(err)} (tolerancia {tol:g}). "
            f"La peor posición es {pos}: se esperaba {_fmt(exp[pos])} y se obtuvo {_fmt(arr[pos])}."
        )
    return err


def check_equal(found: Any, expected: Any, name: str = "resultado") -> None:
    """Igualdad exacta (enteros, tokens, listas, tuplas, arreglos discretos)."""
    if isinstance(expected, np.ndarray) or isinstance(found, np.ndarray):
        exp = np.asarray(expected)
        arr = check_shape(found, exp.shape, name)
        neq = arr != exp
        if np.any(neq):
            pos = _first_mismatch(np.asarray(neq))
            raise AssertionError(
                f"{name}: se esperaba {_fmt(exp[pos])} y se obtuvo {_fmt(arr[pos])} "
                f"en la posición {pos}."
            )
        return
    if isinstance(expected, (list, tuple)) and isinstance(found, (list, tuple)):
        if len(found) != len(expected):
            raise AssertionError(
                f"{name}: se esperaban {len(expected)} elementos y se obtuvieron {len(found)}: "
                f"se esperaba {expected!r} y se obtuvo {found!r}."
            )
        for i, (f, e) in enumerate(zip(found, expected, strict=True)):
            if not _same(f, e):
                raise AssertionError(
                    f"{name}: primera diferencia en el elemento {i}: "
                    f"se esperaba {e!r} y se obtuvo {f!r}."
                )
        return
    if found != expected:
        raise AssertionError(f"{name}: se esperaba {expected!r} y se obtuvo {found!r}.")


def _same(a: Any, b: Any) -> bool:
    """Igualdad que no se rompe con arreglos (``a != b`` sería ambiguo)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check_keys(found: Any, expected_keys: Iterable[str], name: str = "resultado") -> None:
    """Comprueba que ``found`` sea un diccionario con exactamente esas claves."""
    check_type(found, Mapping, name)
    exp = set(expected_keys)
    got = set(found)
    if got != exp:
        faltan = sorted(exp - got, key=repr)
        sobran = sorted(got - exp, key=repr)
        parts = []
        if faltan:
            parts.append(f"faltan {faltan}")
        if sobran:
            parts.append(f"sobran {sobran}")
        raise AssertionError(
            f"{name}: se esperaban las claves {sorted(exp, key=repr)}; " + " y ".join(parts) + "."
        )


def check_raises(
    fn: Callable[[], Any], expected: type[BaseException], name: str = "resultado"
) -> BaseException:
    """Comprueba que ``fn()`` lance ``expected``; devuelve la excepción."""
    try:
        fn()
    except expected as exc:
        return exc
    except Exception as exc:
        raise AssertionError(
            f"{name}: se esperaba {expected.__name__} y se obtuvo "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    raise AssertionError(f"{name}: se esperaba que lanzara {expected.__name__} y no lanzó nada.")


@contextlib.contextmanager
def optional_exercise(name: str) -> Iterator[None]:
    """Prueba visible de un ejercicio **opcional** (no suma puntos).

    Si la función todavía es el esqueleto (lanza ``NotImplementedError``), la
    celda dice que el ejercicio quedó sin resolver y **no** falla: así
    «Ejecutar todo» sigue con el resto de la lección. Cualquier otro error (una
    respuesta equivocada) falla como en una prueba evaluada::

        with checks.optional_exercise("top_k_filter"):
            check_close(top_k_filter(logits, 2), esperado)
    """
    try:
        yield
    except NotImplementedError:
        print(f"Ejercicio opcional sin resolver ({name}): no suma ni resta puntos; "
              "la lección sigue sin él.")
        return
    print(f"✔ {name}: pasa las pruebas del ejercicio opcional.")


# --------------------------------------------------------------------------
# Casos con nombre y ejercicios evaluados por separado
# --------------------------------------------------------------------------

#: Comienzo del mensaje de un caso con nombre. La devolución de una prueba
#: oculta muestra el nombre del caso y este mensaje, nunca el código.
CASE_PREFIX = "Caso «"


def _with_case(label: str, message: str) -> str:
    if message.startswith(CASE_PREFIX):  # un caso dentro de otro: vale el más específico
        return message
    return f"{CASE_PREFIX}{label}»: {message}"


@contextlib.contextmanager
def case(label: str) -> Iterator[None]:
    """Un caso de prueba con nombre, en castellano: «secuencia vacía (T = 0)».

    Toda comprobación de una prueba oculta va dentro de un caso. Si falla, el
    mensaje empieza con ``Caso «<nombre>»:`` seguido de lo que se esperaba y
    lo que se obtuvo; si la función del estudiante lanza otra excepción, el
    mensaje la nombra. Así la devolución dice *qué caso* falló sin mostrar el
    código de la prueba::

        with checks.case("secuencia vacía (T = 0)"):
            check_close(elman_forward(X0, h0, W_hx, W_hh, b_h), h0, "elman_forward(...)")
    """
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(_with_case(label, str(exc))) from None
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - el error del estudiante, con el nombre del caso
        raise AssertionError(_with_case(
            label, f"tu función lanzó {type(exc).__name__}: {exc}")) from None


def _dependency_hint(names: Iterable[str]) -> str:
    listed = ", ".join(f"`{n}`" for n in names)
    return (f" (Esta prueba usa tu {listed}: si su propia prueba falla, arreglá eso primero. "
            f"Al corregir, esta celda usa una versión correcta de {listed}, así cada error "
            "cuesta solo los puntos de su ejercicio.)")


_MISSING = object()  # un nombre que no estaba en el espacio de nombres


@contextlib.contextmanager
def graded_alone(namespace: MutableMapping[str, Any], **references: str) -> Iterator[None]:
    """Evalúa un ejercicio con versiones correctas de los ejercicios anteriores.

    ``references`` va de cada función anterior que usa el ejercicio al nombre
    de su versión de referencia en ``namespace`` (``globals()`` del notebook).
    Esas referencias se definen en la parte **oculta** de la celda: solo
    existen al corregir. Entonces, dentro del bloque, cada nombre apunta a la
    referencia, y al salir vuelve a ser la función del estudiante::

        ### BEGIN HIDDEN TESTS
        def _paso_referencia(x_t, h_prev, W_hx, W_hh, b_h): ...
        ### END HIDDEN TESTS
        with checks.graded_alone(globals(), elman_step="_paso_referencia"):
            ...  # pruebas de elman_forward

    En el notebook del estudiante no hay referencias: el bloque usa sus propias
    funciones y, si falla, el mensaje le recuerda cuáles usó.
    """
    present = {dep: namespace[ref] for dep, ref in references.items() if ref in namespace}
    if len(present) < len(references):  # versión del estudiante: sus propias funciones
        try:
            yield
        except AssertionError as exc:
            raise AssertionError(str(exc) + _dependency_hint(references)) from exc
        return
    saved = {dep: namespace.get(dep, _MISSING) for dep in present}
    namespace.update(present)
    try:
        yield
    finally:
        for dep, value in saved.items():
            if value is _MISSING:
                namespace.pop(dep, None)
            else:
                namespace[dep] = value

