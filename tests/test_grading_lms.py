"""Los nombres que cambian Colab y el navegador (:mod:`tools.grading.submissions`)
y la insignia de Colab; Moodle y Canvas, en ``tests/test_lms_*.py``."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import nbformat
import pytest

from tools import ROOT
from tools.autograding.cells import without_hidden_tests
from tools.autograding.privacy import StripPersonalData
from tools.grading.submissions import canonical_notebook_name, normalize_folder

LESSON = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"
A = "clase_rnn"
NB = LESSON.name
EXPECTED = [NB, "02_rnn_multicapa.ipynb"]


@pytest.mark.parametrize("filename", [
    NB, f"Copia de {NB}", f"Copy of {NB}", f"{LESSON.stem} (1).ipynb",
    f"Copia de {LESSON.stem} (2).ipynb", f"copy of COPIA DE {LESSON.stem}.IPYNB",
    f"  Copia de  {LESSON.stem} (3) .ipynb", f"{LESSON.stem} - copia.ipynb",
    f"Copia_de_{NB}", f"Copy_of_{NB}", f"Copy_of_{LESSON.stem} (1).ipynb",
])
def test_renamed_notebooks_map_to_the_assignment_name(filename: str) -> None:
    assert canonical_notebook_name(filename, EXPECTED) == NB


@pytest.mark.parametrize("filename", ["notas.txt", "03_otra.ipynb", f"{LESSON.stem}.py",
                                      f"Copia de {LESSON.stem}.txt"])
def test_other_files_do_not_map(filename: str) -> None:
    assert canonical_notebook_name(filename, EXPECTED) is None


def test_nfd_names_map_too() -> None:
    expected = ["año_señal.ipynb"]
    nfd = unicodedata.normalize("NFD", "Copia de año_señal (1).ipynb")
    assert canonical_notebook_name(nfd, expected) == "año_señal.ipynb"


def test_normalize_folder_renames_and_reports(tmp_path: Path) -> None:
    for name in (f"Copia de {NB}", f"{LESSON.stem} (1).ipynb", "notas.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    report = normalize_folder(tmp_path, EXPECTED)
    assert (tmp_path / NB).read_text(encoding="utf-8") == f"{LESSON.stem} (1).ipynb"
    assert report.missing == ["02_rnn_multicapa.ipynb"]
    assert report.duplicates == {NB: [f"Copia de {NB}"]}
    assert report.extra == ["notas.txt"]


def test_a_later_download_beats_the_exact_name_and_both_stay(tmp_path: Path) -> None:
    (tmp_path / NB).write_text("en blanco", encoding="utf-8")
    (tmp_path / f"{LESSON.stem} (1).ipynb").write_text("resuelto", encoding="utf-8")
    report = normalize_folder(tmp_path, EXPECTED)
    assert (tmp_path / NB).read_text(encoding="utf-8") == "resuelto"
    assert sorted(p.read_text(encoding="utf-8") for p in tmp_path.iterdir()) == ["en blanco",
                                                                                "resuelto"]
    assert report.duplicates == {NB: [NB]}
    # Otra vez: no cambia nada.
    normalize_folder(tmp_path, EXPECTED)
    assert (tmp_path / NB).read_text(encoding="utf-8") == "resuelto"


def test_colab_badge_and_github_user_are_stripped() -> None:
    user = "valen-quiroga-77"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(
            f'<a href="https://colab.research.google.com/github/{user}/rnn/blob/main/{NB}" '
            'target="_parent"><img src="https://colab.research.google.com/assets/colab-badge.svg" '
            'alt="Open In Colab"/></a>'),
        nbformat.v4.new_markdown_cell(f"Mi copia: https://colab.research.google.com/github/{user}/rnn"),
        nbformat.v4.new_code_cell("x = 1")])
    out, _ = StripPersonalData().preprocess(nb, {})
    assert user not in nbformat.writes(out)
    assert len(out.cells) == 2


def test_every_hidden_block_is_removed() -> None:
    source = ("a = 1\n### BEGIN HIDDEN TESTS\nref = 2\n### END HIDDEN TESTS\n"
              "with x:\n    b = 3\n    ### BEGIN HIDDEN TESTS\n    c = 4\n    ### END HIDDEN TESTS")
    assert without_hidden_tests(source) == "a = 1\nwith x:\n    b = 3"




def test_grades_csv_notes_show_every_version(tmp_path) -> None:
    """grades.csv dice el puntaje de cada versión de un notebook (y «REVISAR» si
    difieren) o, antes de corregirlas, que hay otras versiones sin corregir."""
    from tools.grading.grades_table import CANDIDATES_CSV, OTHER_VERSIONS, version_notes

    other = tmp_path / "submitted" / "ana" / "clase_rnn" / OTHER_VERSIONS
    other.mkdir(parents=True)
    (other / "01_celda_elman.ipynb").write_text("{}", encoding="utf-8")
    notes = version_notes(tmp_path, "clase_rnn")
    assert notes == {("ana", ""): [f"otra versión sin corregir: {OTHER_VERSIONS}/01_celda_elman.ipynb "
                                   "(python -m tools.lms grade-candidates)"]}
    (tmp_path / CANDIDATES_CSV.format(assignment="clase_rnn")).write_text(
        "student,notebook,file,graded,score,max_score,review\n"
        "ana,01_celda_elman.ipynb,01_celda_elman (1).ipynb,sí,10.0,10.0,REVISAR\n"
        f"ana,01_celda_elman.ipynb,{OTHER_VERSIONS}/01_celda_elman.ipynb,no,0.0,10.0,REVISAR\n",
        encoding="utf-8")
    notes = version_notes(tmp_path, "clase_rnn")
    assert notes == {("ana", "01_celda_elman"): [
        "versiones: 01_celda_elman (1).ipynb (corregida) = 10.0, "
        f"{OTHER_VERSIONS}/01_celda_elman.ipynb = 0.0. REVISAR: puntajes distintos"]}
