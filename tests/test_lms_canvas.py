"""Canvas (:func:`tools.lms.export_canvas`): cada exportación real del libro, y
las notas comprobadas con la lógica de ``gradebook_importer.rb`` (ver
:mod:`lms_oracles`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lms_oracles import canvas_import
from test_lms_moodle import A, _course, _graded

from tools import lms

COLUMN = "clase_rnn (4411)"
# Dos «Pérez, Ana» distintas; s0002 es el SIS User ID de Rocío (sin entrega) y
# también el id nbgrader de otra persona, que no está en el roster.
PEOPLE = [("Pérez, Ana", "9001", "s0001", "aperez1"), ("Pérez, Ana", "9002", "s0003", "aperez2"),
          ("Núñez, Rocío", "9003", "s0002", "rnunez")]
SCORES = {"9001": 1.0, "9002": 0.5, "s0002": 0.25}


def _roster(path: Path, sis: bool, lastfirst: bool, sep: str, comma: bool) -> Path:
    head = ["LastName", "FirstName", "ID"] if lastfirst else ["Student", "ID"]
    head += ["SIS User ID", "SIS Login ID"] if sis else []
    head += ["Section", COLUMN, "Current Points"]
    points = "20,00" if comma else "20.00"
    lines = [head, ["    Points Possible"] + [""] * (len(head) - 3) + [points, "(read only)"]]
    for name, cid, sis_user, login in PEOPLE:
        who = name.split(", ") if lastfirst else [name]
        lines.append(who + [cid] + ([sis_user, login] if sis else []) + ["RNN", "", "0"])
    lines.append((["Student", "Test"] if lastfirst else ["Student, Test"]) + ["9999"]
                 + (["", ""] if sis else []) + ["RNN", "", "0"])

    def cell(x: str) -> str:
        return f'"{x}"' if sep in x or "," in x else x
    path.write_text("\n".join(sep.join(cell(x) for x in row) for row in lines) + "\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("sis,lastfirst,sep,comma", [
    (True, False, ",", False), (False, False, ",", False), (True, True, ",", False),
    (True, False, ";", True), (False, True, ";", True)])
def test_every_export_layout_is_accepted_and_matched_by_id(tmp_path: Path, sis, lastfirst,
                                                           sep, comma) -> None:
    course = _course(tmp_path)
    _graded(course, A, SCORES)
    roster = _roster(tmp_path / "roster.csv", sis, lastfirst, sep, comma)
    out = tmp_path / "canvas.csv"
    report = lms.export_canvas(course, A, roster, out, COLUMN)
    got, new = canvas_import(out.read_text(encoding="utf-8"), {"4411": "clase_rnn"},
                             {p[1]: p[1] for p in PEOPLE} | {"9999": "test"})
    assert new == []                                     # ninguna tarea nueva
    dec = "," if comma else "."
    # La misma fila que el roster: mismo separador, coma decimal y columnas.
    assert out.read_text(encoding="utf-8").splitlines()[0].count(sep) >= 3
    grades = {k: v.replace(",", ".") for k, v in got["4411"].items()}
    assert grades["9001"] == "20.00" and grades["9002"] == "10.00", report.text()
    assert grades["9003"] == "" and grades["test"] == ""  # sin entrega: nada heredado
    assert report.written == 2
    assert "s0002" in report.text()                       # sin fila: al informe
    assert ("20" + dec + "00") in out.read_text(encoding="utf-8")


def test_no_column_no_export(tmp_path: Path) -> None:
    course = _course(tmp_path)
    _graded(course, A, {"9001": 1.0})
    roster = _roster(tmp_path / "roster.csv", True, False, ",", False)
    for column in (None, "clase_rnn (9999)"):
        with pytest.raises(lms.LmsError, match="clase_rnn \\(4411\\)"):
            lms.export_canvas(course, A, roster, tmp_path / "o.csv", column)
    assert not (tmp_path / "o.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("Nombre,Nota\nAna,1\n", encoding="utf-8")
    with pytest.raises(lms.LmsError, match="Canvas"):
        lms.export_canvas(course, A, bad, tmp_path / "o.csv", COLUMN)


def test_ids_by_sis_login_and_an_ambiguous_id_stays_unchanged(tmp_path: Path) -> None:
    """Con los SIS Login ID como ids de nbgrader (detectado, o con --match); un
    id que aparece en dos filas no le da la nota a ninguna."""
    course = _course(tmp_path)
    _graded(course, A, {"aperez1": 1.0, "rnunez": 0.5})
    roster = _roster(tmp_path / "roster.csv", True, False, ",", False)
    text = roster.read_text(encoding="utf-8").replace(",aperez2,", ",rnunez,")  # login repetido
    roster.write_text(text, encoding="utf-8")
    for match in (None, "SIS Login ID"):
        out = tmp_path / "canvas.csv"
        report = lms.export_canvas(course, A, roster, out, COLUMN, match)
        got, _ = canvas_import(out.read_text(encoding="utf-8"), {"4411": "clase_rnn"},
                               {p[1]: p[1] for p in PEOPLE})
        assert got["4411"] == {"9001": "20.00", "9002": "", "9003": ""}, report.text()
        assert "rnunez: coincide con 2 filas" in report.text()
