"""Los errores de la clase: los mensajes de las celdas de evaluación, agrupados.

Dos estudiantes que cometen el mismo error reciben mensajes que difieren solo
en números (el error máximo, la posición, la forma), en valores citados
(``'gato'`` contra ``'perro'``) o en el tipo de lo devuelto. Se normalizan esas
partes y lo que queda es la *clave* del grupo; el nombre del caso oculto
(«Caso «secuencia vacía (T = 0)»:») y el nombre de lo comprobado (``dW_hh:``)
se conservan tal cual, porque distinguen errores distintos.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

#: Clases de resultado de una celda de evaluación (ver :func:`classify`).
OK, FAILED, ERROR, TIMEOUT, NOT_DONE, MISSING, PENDING = (
    "ok", "falló", "error", "tiempo agotado", "sin hacer", "no entregó", "pendiente")

#: Nombres de excepción que dejó el kernel cortado: ``nbclient`` y el
#: reinicio de ``tools.autograding.execute`` (``KERNEL_RESTARTED``).
TIMEOUT_ENAMES = frozenset({"CellTimeoutError", "KernelRestarted", "DeadKernelError"})

_CASE = re.compile(r"^(Caso «[^»]*»: )")
_HINT = re.compile(r" \(Esta prueba usa tu .*$", re.S)
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w])|\b(?:nan|inf)\b")
_TYPE = re.compile(r"\b(de tipo|se obtuvo) (float|int|str|list|tuple|dict|NoneType|ndarray|"
                   r"float32|float64|int32|int64|EagerTensor|bool)\b")
_RAISED = re.compile(r"tu función lanzó \w+")


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


def classify(ename: str | None, evalue: str = "") -> str:
    """La clase de resultado de una salida de error (``None``: la celda pasó)."""
    if ename is None:
        return OK
    if ename in TIMEOUT_ENAMES:
        return TIMEOUT
    if ename == "NotImplementedError":
        return NOT_DONE
    if ename == "AssertionError" and not _RAISED.search(evalue):
        return FAILED
    return ERROR


def normalise(message: str) -> str:
    """La clave de agrupamiento de un mensaje (primera línea)."""
    text = _HINT.sub("", first_line(message))
    prefix = ""
    m = _CASE.match(text)
    if m:  # el nombre del caso identifica el error: no se normaliza
        prefix, text = m.group(1), text[m.end():]
    text = _QUOTED.sub("'…'", text)
    text = _TYPE.sub(lambda mm: f"{mm.group(1)} <tipo>", text)
    text = _NUMBER.sub("#", text)
    text = re.sub(r"\s+", " ", text)
    return prefix + text


def readable(message: str, limit: int = 160) -> str:
    """El mensaje tal como lo leería el docente, en una línea."""
    text = _HINT.sub("", first_line(message))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Group:
    """Un error de la clase en una celda: cuántos, quiénes y un mensaje real."""

    cell: str
    kind: str
    key: str
    students: list[str] = field(default_factory=list)
    messages: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.students)

    @property
    def representative(self) -> str:
        """El mensaje más frecuente del grupo (empate: el primero en orden)."""
        best = max(self.messages.values())
        return readable(min(m for m, n in self.messages.items() if n == best))

    def headline(self) -> str:
        noun = "estudiante" if self.count == 1 else "estudiantes"
        return f"{self.representative} ({self.count} {noun})"


def _label(kind: str, ename: str, evalue: str) -> tuple[str, str]:
    """(clave, mensaje) de una salida de error según su clase."""
    if kind == FAILED:
        return normalise(evalue), evalue
    if kind == NOT_DONE:
        return "NotImplementedError (sin hacer)", "NotImplementedError: no resolvió el ejercicio"
    if kind == TIMEOUT:
        return "tiempo agotado", f"{ename}: tiempo agotado (la celda no terminó)"
    shown = f"{ename}: {first_line(evalue)}" if evalue.strip() else ename
    return f"{ename}: {normalise(evalue)}", shown


def group_failures(failures: list[tuple[str, str, str, str]]) -> dict[str, list[Group]]:
    """Agrupa ``(celda, estudiante, ename, evalue)`` por celda y error.

    Devuelve ``{celda: [grupos de mayor a menor]}``."""
    groups: dict[tuple[str, str], Group] = {}
    for cell, student, ename, evalue in failures:
        kind = classify(ename, evalue)
        if kind == OK:
            continue
        key, shown = _label(kind, ename, evalue)
        g = groups.setdefault((cell, key), Group(cell, kind, key))
        g.students.append(student)
        g.messages[shown] += 1
    out: dict[str, list[Group]] = {}
    for g in groups.values():
        out.setdefault(g.cell, []).append(g)
    for cell in out:
        out[cell].sort(key=lambda g: (-g.count, g.key))
    return out
