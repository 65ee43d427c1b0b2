"""Una sola fuente de dependencias: pyproject.toml. environment.yml (conda,
Binder), el Makefile y .ci/run no pueden desviarse de ella ni del README."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tools import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _makefile_extras() -> str:
    m = re.search(r"^EXTRAS\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert m, "el Makefile no define EXTRAS"
    return m.group(1)


def test_environment_yml_only_installs_the_project() -> None:
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    conda = sorted(d.split("=")[0] for d in deps if isinstance(d, str))
    assert conda == ["pip", "python"], f"environment.yml repite dependencias: {conda}"
    pip = [d for d in deps if isinstance(d, dict)]
    assert len(pip) == 1 and pip[0]["pip"] == [f"-e .[{_makefile_extras()}]"]


def test_environment_yml_python_is_supported() -> None:
    text = (ROOT / "environment.yml").read_text()
    py = re.search(r"python=(\d+)\.(\d+)", text)
    assert py
    lo = re.search(r">=(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert lo and tuple(map(int, py.groups())) >= tuple(map(int, lo.groups()))


def test_extras_used_by_make_exist() -> None:
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    assert set(_makefile_extras().split(",")) <= extras


def test_make_installs_what_the_tests_need() -> None:
    """`make test` (lo que corre CI) instala JupyterLab/nbgrader, las pruebas y
    Dask: sin el extra `grading`, la prueba del clúster de Dask se saltearía."""
    assert {"tf", "lab", "test", "grading"} <= set(_makefile_extras().split(","))


def test_tensorflow_only_in_an_extra() -> None:
    """En Colab se instalan los helpers sin extras: no debe bajar otro TensorFlow."""
    base = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    assert "tensorflow" not in base and "keras" not in base
    tf = " ".join(PYPROJECT["project"]["optional-dependencies"]["tf"]).lower()
    assert "tensorflow" in tf and ">=2.16" in tf


def test_required_stack_is_declared() -> None:
    deps = PYPROJECT["project"]["dependencies"] + [
        d for extra in PYPROJECT["project"]["optional-dependencies"].values() for d in extra]
    names = {re.split(r"[<>=;\s\[]", d, maxsplit=1)[0].lower() for d in deps}
    for needed in ("numpy", "matplotlib", "tqdm", "nltk", "jupyterlab", "nbgrader",
                   "nbval", "pytest", "pytest-xdist"):
        assert needed in names, f"falta {needed} en pyproject.toml"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme.split("\n## ")[0]
    assert "make lab" in head and "make test" in head, "los dos comandos van arriba del README"
    ci = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] == "make test", f".ci/run debe terminar corriendo `make test`: {ci}"


def test_nbformat_imports_without_the_slow_iri_grammar() -> None:
    """`make install` quita rfc3987-syntax: con él, importar nbformat (cada
    nbgrader, cada entrega corregida) compila una gramática de lark, 2-4 s."""
    code = "import sys, nbformat, jsonschema; print('rfc3987_syntax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", (
        "importar nbformat carga rfc3987_syntax: falta `pip uninstall rfc3987-syntax` "
        "(lo hace `make install`)")
