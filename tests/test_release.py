"""La versión del estudiante está en sincronía con la fuente, y la URL de Colab
es una sola (la de pyproject.toml) en todos los badges y celdas."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.authoring import release

ROOT = release.ROOT
SOURCES = release.source_notebooks()
RELEASED = sorted((ROOT / "notebooks").glob("*/*.ipynb"))


def test_there_are_lessons() -> None:
    assert SOURCES, "no hay notebooks en solutions/"
    assert [p.relative_to(ROOT / "solutions") for p in SOURCES] == [
        p.relative_to(ROOT / "notebooks") for p in RELEASED
    ], "solutions/ y notebooks/ no tienen los mismos notebooks (make release)"


def test_release_is_byte_identical_to_nbgrader_output(tmp_path: Path) -> None:
    for assignment in release.assignments():
        generated = release.generate(ROOT, tmp_path, assignment)
        diffs = release.same_tree(generated, ROOT / "notebooks" / assignment)
        assert not diffs, "notebooks/ no es lo que genera nbgrader (make release):\n" + "\n".join(diffs)


def test_readme_lesson_table_is_generated_from_the_notebooks() -> None:
    """Badges de Colab y Binder del README con la URL de pyproject.toml, una
    fila por notebook, tiempos de docs/tiempos.json."""
    assert not release.sync_readme(ROOT, write=False), "README desactualizado (make release)"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in SOURCES:
        rel = path.relative_to(ROOT / "solutions").as_posix()
        assert release.colab_url(release.repo_url(), f"notebooks/{rel}") in readme
    assert release.binder_badge(release.repo_url()) in readme


def test_student_version_has_no_solutions_or_hidden_tests() -> None:
    for path in RELEASED:
        text = path.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS"):
            assert marker not in text, f"{path}: contiene {marker!r}"


def test_student_prose_never_mentions_fast_mode() -> None:
    """El modo rápido es de las pruebas: lo que lee el estudiante (markdown y
    comentarios de las celdas) describe la lección completa."""
    found = []
    for path in sorted((release.ROOT / release.RELEASE).glob("*/*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if re.search(r"modo r[áa]pido|COURSE_FAST", cell.source, re.I):
                found.append(f"{path.parent.name}/{path.name}:{cell.get('id')}")
    assert not found, "mencionan el modo rápido: " + ", ".join(found)


@pytest.mark.parametrize("path", SOURCES + RELEASED, ids=lambda p: str(p.relative_to(ROOT)))
def test_colab_url_comes_from_pyproject(path: Path) -> None:
    url = release.repo_url()
    nb = nbformat.read(str(path), as_version=4)
    rel = path.relative_to(ROOT)
    release_path = "notebooks/" + "/".join(rel.parts[1:])
    title = nb.cells[0].source
    badges = [line for line in title.splitlines() if line.startswith(release.BADGE_PREFIX)]
    assert badges == [release.badge_line(url, release_path)], f"{rel}: badge de Colab desactualizado"
    colab = [c for c in nb.cells if c.cell_type == "code"][0]
    assert colab.get("id") == release.COLAB_CELL_ID
    assert colab.source == release.colab_cell_source(url), f"{rel}: celda de Colab desactualizada"
    # Ninguna otra URL de GitHub en el notebook apunta a otro repositorio.
    text = path.read_text(encoding="utf-8")
    repo = url.removeprefix("https://github.com/")
    for other in re.findall(r"github(?:\.com|)/([\w.-]+/[\w.-]+?)(?:\.git|/|\")", text):
        assert other == repo, f"{rel}: URL de otro repositorio: {other}"


def test_colab_cell_installs_helpers_without_tensorflow() -> None:
    src = release.colab_cell_source(release.repo_url())
    assert '"google.colab" in sys.modules' in src
    assert "[" not in release.install_spec(release.repo_url()), "sin extras: Colab ya trae TF"
    compile(src, "colab", "exec")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_source_notebook_anatomy(path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    ids = [c.get("id") for c in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids), "ids de celda faltantes o repetidos"
    metas = [c.metadata.get("nbgrader") for c in nb.cells if c.metadata.get("nbgrader")]
    grade_ids = [m["grade_id"] for m in metas]
    assert len(set(grade_ids)) == len(grade_ids), "grade_id repetidos"
    assert all(re.match(r"^[a-zA-Z0-9_-]+$", g) for g in grade_ids)
    assert "setup" in grade_ids, "falta la celda 'setup' bloqueada"
    # El autocorrector reconoce por su id una celda a la que le borraron la
    # metadata de nbgrader (tools.autograding.OverwriteCellsById).
    for cell in nb.cells:
        m = cell.metadata.get("nbgrader")
        if m:
            assert cell.get("id") == m["grade_id"], f"id {cell.get('id')} ≠ grade_id {m['grade_id']}"
    # Las celdas de evaluación usan helpers.checks, no numpy.testing ni unittest.
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            assert "np.testing" not in cell.source and "numpy.testing" not in cell.source
    graded = [m for m in metas if m.get("grade")]
    assert graded and all(m.get("points", 0) > 0 for m in graded)
    assert all(m.get("locked") for m in graded if not m.get("solution"))
    for cell in nb.cells:
        m = cell.metadata.get("nbgrader", {})
        if m.get("grade") and not m.get("solution"):
            assert "BEGIN HIDDEN TESTS" in cell.source, f"{m['grade_id']}: sin pruebas ocultas"
        assert not cell.metadata.get("execution"), "metadata de tiempos en la fuente"
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{cell.get('id')}: la salida commiteada (make solutions) tiene un error"
