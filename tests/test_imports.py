"""El paquete del estudiante se importa solo: sin nbgrader, sin ``tools`` y con sus capas.

* ``import helpers`` y **cada** submódulo ``helpers.*`` se importan en un
  proceso nuevo en el que ``nbgrader`` y ``tools`` no se pueden importar (un
  buscador de módulos que los rechaza, primero en ``sys.meta_path``): así se
  prueba que nada de helpers los necesita, ni siquiera indirectamente.
* Ningún módulo de helpers importa ``tools`` en ninguna parte (tampoco adentro
  de una función): se lee el código con ``ast``.
* Las capas: la decodificación y los n-gramas no dependen de ``helpers.lm``, y
  ``helpers.data`` no trae TensorFlow.
"""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import helpers
from tools import ROOT

HELPERS = ROOT / "helpers"

_BLOCKER = textwrap.dedent("""
    import importlib.abc, sys

    class _Blocked(importlib.abc.MetaPathFinder):
        BLOCKED = {BLOCKED!r}

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"bloqueado en esta prueba: {{name}}")
            return None

    sys.meta_path.insert(0, _Blocked())
""")


def _submodules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers."))


def _run(code: str, blocked: tuple[str, ...] = ("nbgrader", "tools")) -> dict:
    """Corre ``code`` en un proceso nuevo (con los módulos ``blocked`` prohibidos);
    ``code`` deja su resultado en la variable ``out`` (algo que se pasa a JSON)."""
    script = _BLOCKER.format(BLOCKED=set(blocked)) + code + "\nprint(json.dumps(out))\n"
    proc = subprocess.run([sys.executable, "-c", "import json\n" + script], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_submodule_is_found() -> None:
    mods = _submodules()
    # Los paquetes y módulos de un tema cada uno: si walk_packages no los viera,
    # la prueba siguiente no probaría nada.
    for name in ("helpers.lm.vocab", "helpers.decoding.beam", "helpers.challenge.checks",
                 "helpers.ngram", "helpers.data", "helpers.tokens"):
        assert name in mods
    assert len(mods) >= 30


def test_helpers_import_without_nbgrader_or_tools() -> None:
    mods = _submodules()
    out = _run(textwrap.dedent(f"""
        import importlib
        try:
            import nbgrader
            blocked = False
        except ImportError:
            blocked = True
        import helpers
        failed = {{}}
        for name in {mods!r}:
            try:
                importlib.import_module(name)
            except Exception as exc:
                failed[name] = repr(exc)
        out = {{"blocked": blocked, "failed": failed,
               "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("nbgrader", "tools"))}}
    """))
    assert out["blocked"], "el bloqueo de nbgrader no funcionó: la prueba no probaría nada"
    assert out["failed"] == {}
    assert out["loaded"] == []


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_helpers_module_imports_tools() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imported_modules(p)
                                                 if m.split(".")[0] in ("tools", "nbgrader"))
                 for p in HELPERS.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("package", ["decoding", "ngram"])
def test_decoding_and_ngrams_do_not_depend_on_lm(package: str) -> None:
    files = [HELPERS / f"{package}.py"] if (HELPERS / f"{package}.py").exists() \
        else sorted((HELPERS / package).rglob("*.py"))
    uses = {str(p.relative_to(ROOT)): sorted(m for m in _imported_modules(p)
                                            if m == "helpers.lm" or m.startswith("helpers.lm."))
            for p in files}
    assert {k: v for k, v in uses.items() if v} == {}
    # Y al usarlos de verdad tampoco se carga helpers.lm.
    out = _run(textwrap.dedent(f"""
        import helpers.{package}
        if "{package}" == "decoding":
            from helpers.decoding import Decoder  # noqa: F401
        out = {{"lm": "helpers.lm" in sys.modules}}
    """))
    assert out == {"lm": False}


def test_data_is_free_of_tensorflow() -> None:
    out = _run("import helpers.data, helpers.text\n"
               "out = {'tf': 'tensorflow' in sys.modules, 'keras': 'keras' in sys.modules}\n")
    assert out == {"tf": False, "keras": False}
