"""``isinstance`` que sobrevive a la recarga de ``helpers`` al corregir.

El autocorrector borra ``helpers.*`` de ``sys.modules`` antes de cada celda de
evaluación: las clases se vuelven a crear y un objeto creado antes (p. ej. el
``Vocab`` de la lección) ya no es instancia de la clase nueva. Acá se compara la
clase por su nombre calificado (módulo + nombre): una clase con otro nombre, o
de otro módulo, sigue siendo distinta.
"""

from __future__ import annotations

__all__ = ["same_class"]


def same_class(obj: object, cls: type) -> bool:
    """``isinstance(obj, cls)``, o ``obj`` es de una versión recargada de ``cls``."""
    if isinstance(obj, cls):
        return True
    return any(k.__module__ == cls.__module__ and k.__qualname__ == cls.__qualname__
               for k in type(obj).__mro__)
