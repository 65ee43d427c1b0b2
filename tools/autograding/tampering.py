"""Manipulación de las comprobaciones: detección estática en el código entregado."""

from __future__ import annotations

from typing import Any

# --------------------------------------------------------------------------
# Manipulación de las comprobaciones: detección estática en el código entregado
# --------------------------------------------------------------------------

#: Módulos que el código del estudiante no tiene por qué modificar: si le asigna
#: o borra atributos (``np.any = ...``, ``helpers.checks.check_close = ...``,
#: ``numpy.testing.assert_allclose = ...``, ``sys.modules[...] = ...``), las
#: comprobaciones de las celdas de evaluación dejan de ser confiables.
PROTECTED_MODULES = ("numpy", "helpers", "builtins", "sys", "tensorflow", "keras",
                     "math", "unittest", "pytest", "importlib", "nbgrader")


def _module_aliases(tree: Any) -> dict[str, str]:
    import ast

    aliases = {"__builtins__": "builtins"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _root_name(node: Any) -> str | None:
    import ast

    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _parse(sources: list[str]) -> list[Any]:
    """Árboles de las celdas que son Python (sin líneas mágicas ``%``/``!``)."""
    import ast

    trees = []
    for src in sources:
        lines = [ln for ln in src.split("\n") if not ln.lstrip().startswith(("%", "!"))]
        try:
            trees.append(ast.parse("\n".join(lines)))
        except SyntaxError:
            continue
    return trees


def _modified(node: Any) -> list[tuple[Any, str]]:
    """Lo que modifica un nodo: (objeto cuya raíz importa, cómo mostrarlo)."""
    import ast

    if isinstance(node, (ast.Assign, ast.Delete)):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
          and node.func.id in ("setattr", "delattr") and node.args):
        return [(node.args[0], f"«{ast.unparse(node)}»")]
    else:
        return []
    return [(t, f"línea «{ast.unparse(t)} = …»") for t in targets
            if isinstance(t, (ast.Attribute, ast.Subscript))]


def find_tampering(sources: list[str]) -> list[str]:
    """Líneas del código entregado que modifican módulos protegidos.

    Analiza el código (no lo ejecuta). Devuelve descripciones en castellano;
    vacía si no hay nada sospechoso. Asignar a ``plt.rcParams`` o a
    ``os.environ`` no cuenta: no son módulos protegidos.
    """
    import ast

    trees = _parse(sources)
    aliases: dict[str, str] = {}
    for tree in trees:
        aliases.update(_module_aliases(tree))

    found: list[str] = []
    for tree in trees:
        for node in ast.walk(tree):
            for target, shown in _modified(node):
                module = aliases.get(_root_name(target) or "")
                if module and module.split(".")[0] in PROTECTED_MODULES:
                    found.append(f"{shown}: modifica el módulo {module}")
    return found
