"""Reglas de tokenización y segmentación de ``helpers.text``."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.text import (
    martin_fierro_stanzas,
    numbered_stanzas,
    split_sentences,
    split_stanzas,
    split_verses,
    tokenize,
)

# --------------------------------------------------------------------------
# tokenize
# --------------------------------------------------------------------------


def test_tokenize_lowercases_and_keeps_accents_enie_dieresis() -> None:
    assert tokenize("Aquí me pongo a CANTAR al compás de la VIGÜELA") == [
        "aquí", "me", "pongo", "a", "cantar", "al", "compás", "de", "la", "vigüela",
    ]
    assert tokenize("ÑANDÚ Año PINGÜINO Él") == ["ñandú", "año", "pingüino", "él"]


def test_tokenize_accented_and_plain_are_different_words() -> None:
    assert tokenize("año ano pingó pingo") == ["año", "ano", "pingó", "pingo"]


def test_tokenize_normalizes_decomposed_accents() -> None:
    decomposed = unicodedata.normalize("NFD", "Canción, pingüino y ñandú")
    assert decomposed != "Canción, pingüino y ñandú"  # de verdad está descompuesto
    assert tokenize(decomposed) == ["canción", "pingüino", "y", "ñandú"]


def test_tokenize_drops_spanish_punctuation() -> None:
    text = "¿Qué querés?  ¡Vamos! —dijo Cruz—; «ansí», (pues)… y: fin."
    assert tokenize(text) == ["qué", "querés", "vamos", "dijo", "cruz", "ansí", "pues", "y", "fin"]


def test_tokenize_slide_example() -> None:
    # El ejemplo de la diapositiva de predicción de la próxima palabra.
    assert tokenize("Yesterday, all my troubles seemed so far away")[:4] == [
        "yesterday", "all", "my", "troubles",
    ]


def test_tokenize_hyphen_separates_words() -> None:
    assert tokenize("le dije: va-ca-yendo gente") == ["le", "dije", "va", "ca", "yendo", "gente"]


def test_tokenize_english_internal_apostrophes() -> None:
    assert tokenize("We know't, we know't. Is't a verdict? I'll ne'er") == [
        "we", "know't", "we", "know't", "is't", "a", "verdict", "i'll", "ne'er",
    ]
    # El apóstrofo tipográfico se normaliza; el de los bordes es una comilla.
    assert tokenize("know’t 'em o' 'Yo talante'") == ["know't", "em", "o", "yo", "talante"]


def test_tokenize_numbers_are_tokens() -> None:
    assert tokenize("un 25 de Mayo de 1872.") == ["un", "25", "de", "mayo", "de", "1872"]
    assert tokenize("1.872 y 3,5") == ["1", "872", "y", "3", "5"]


def test_tokenize_underscore_and_symbols_dropped() -> None:
    assert tokenize("_Don Quijote_ & Sancho * [1]") == ["don", "quijote", "sancho", "1"]


def test_tokenize_keep_punctuation() -> None:
    assert tokenize("¿Qué? ¡Ah, pobre!", keep_punctuation=True) == [
        "¿", "qué", "?", "¡", "ah", ",", "pobre", "!",
    ]
    assert tokenize("know't...", keep_punctuation=True) == ["know't", ".", ".", "."]


def test_tokenize_empty_and_only_punctuation() -> None:
    assert tokenize("") == []
    assert tokenize(" ¿¡!?.,;: \n\t— ") == []


def _is_word_or_number(tok: str) -> bool:
    cats = [unicodedata.category(ch) for ch in tok]
    if all(c == "Nd" for c in cats):
        return True
    parts = tok.split("'")
    return all(
        part and unicodedata.category(part[0]).startswith("L")
        and all(unicodedata.category(ch)[0] in "LM" for ch in part)
        for part in parts
    )


# Caracteres que la base Unicode de Python conoce (``regex`` puede traer una
# versión más nueva de Unicode: un carácter recién asignado no sirve de prueba).
KNOWN_TEXT = st.text(st.characters(exclude_categories=["Cn", "Cs"]))


@given(KNOWN_TEXT)
def test_tokenize_tokens_are_words_or_numbers(text: str) -> None:
    tokens = tokenize(text)
    for tok in tokens:
        assert _is_word_or_number(tok), tok
    # Nada se inventa: cada token (sin apóstrofos) sale del texto normalizado.
    flat = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    for tok in tokens:
        assert tok in flat, tok


@given(KNOWN_TEXT)
def test_tokenize_keep_punctuation_only_adds_punctuation(text: str) -> None:
    with_punct = tokenize(text, keep_punctuation=True)
    assert [t for t in with_punct if not (len(t) == 1 and unicodedata.category(t)[0] == "P")] \
        == tokenize(text)


@given(st.lists(st.sampled_from(["año", "Ñandú", "güe", "Vigüela", "the", "know't", "42"]),
                max_size=12),
       st.sampled_from([" ", ", ", "; ", " — ", "\n", "¿", "!"]))
def test_tokenize_recovers_words_with_any_separator(words: list[str], sep: str) -> None:
    text = sep.join(words)
    assert tokenize(text) == [w.lower() for w in words]


# --------------------------------------------------------------------------
# versos y estrofas
# --------------------------------------------------------------------------

POEM = """\
El Gaucho Martín Fierro

I - Cantor y Gaucho.

1
Aquí me pongo a cantar
  Al compás de la vigüela,   
Que el hombre que lo desvela
2
Pido a los Santos del Cielo
Que ayuden mi pensamiento;
   \t
  
II - Ayer y hoy.

 10 
Con la guitarra en la mano
Ni las moscas se me arriman,
"""


def test_split_verses() -> None:
    assert split_verses(POEM) == [
        "El Gaucho Martín Fierro",
        "I - Cantor y Gaucho.",
        "Aquí me pongo a cantar",
        "Al compás de la vigüela,",
        "Que el hombre que lo desvela",
        "Pido a los Santos del Cielo",
        "Que ayuden mi pensamiento;",
        "II - Ayer y hoy.",
        "Con la guitarra en la mano",
        "Ni las moscas se me arriman,",
    ]


def test_split_verses_keeps_lines_that_contain_numbers() -> None:
    assert split_verses("en un 25\nde Mayo\n1872.\n395") == ["en un 25", "de Mayo", "1872."]


def test_split_stanzas_blank_lines_and_number_lines() -> None:
    assert split_stanzas(POEM) == [
        ["El Gaucho Martín Fierro"],
        ["I - Cantor y Gaucho."],
        ["Aquí me pongo a cantar", "Al compás de la vigüela,", "Que el hombre que lo desvela"],
        ["Pido a los Santos del Cielo", "Que ayuden mi pensamiento;"],
        ["II - Ayer y hoy."],
        ["Con la guitarra en la mano", "Ni las moscas se me arriman,"],
    ]


def test_split_stanzas_empty_and_crlf() -> None:
    assert split_stanzas("") == []
    assert split_stanzas("\n\n1\n\n2\n  \n") == []
    assert split_stanzas("uno\r\ndos\r\n\r\ntres\r\n") == [["uno", "dos"], ["tres"]]


def test_numbered_stanzas_only_blocks_after_a_number() -> None:
    assert numbered_stanzas(POEM) == [
        (1, ["Aquí me pongo a cantar", "Al compás de la vigüela,",
             "Que el hombre que lo desvela"]),
        (2, ["Pido a los Santos del Cielo", "Que ayuden mi pensamiento;"]),
        (10, ["Con la guitarra en la mano", "Ni las moscas se me arriman,"]),
    ]


def test_numbered_stanzas_number_without_verses_is_dropped() -> None:
    assert numbered_stanzas("1\n\nprosa suelta\n2\nverso") == [(2, ["verso"])]


def test_martin_fierro_stanzas_on_given_text() -> None:
    text = "Carta del Autor\n\nQuerido amigo:\nen un 25\nde Mayo.\n\n" + POEM
    stanzas = martin_fierro_stanzas(text)
    assert [s[0] for s in stanzas] == [
        "Aquí me pongo a cantar", "Pido a los Santos del Cielo", "Con la guitarra en la mano",
    ]


def test_martin_fierro_stanzas_rejects_text_without_numbered_stanzas() -> None:
    with pytest.raises(ValueError, match="estrofas numeradas"):
        martin_fierro_stanzas("Un texto\n\nsin números de estrofa.")


# --------------------------------------------------------------------------
# oraciones
# --------------------------------------------------------------------------


def test_split_sentences_basic_rule() -> None:
    text = "Hola, amigo. ¿Cómo estás? ¡Bien!\nGracias... Y vos?! Yo, bien… Chau."
    assert split_sentences(text) == [
        "Hola, amigo.", "¿Cómo estás?", "¡Bien!", "Gracias...", "Y vos?!", "Yo, bien…", "Chau.",
    ]


def test_split_sentences_joins_wrapped_lines_and_paragraph_always_ends() -> None:
    text = (
        "En un lugar de la Mancha, de cuyo nombre no quiero\n"
        "acordarme, no ha mucho tiempo que vivía un hidalgo\n"
        "\n"
        "Capítulo primero\n"
        "  \n"
        "Es, pues, de saber.\r\n"
    )
    assert split_sentences(text) == [
        "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho "
        "tiempo que vivía un hidalgo",
        "Capítulo primero",
        "Es, pues, de saber.",
    ]


def test_split_sentences_lowercase_after_question_continues_sentence() -> None:
    text = "— ¿Qué dices? —respondió Sancho—. No entiendo. ¿cómo? dijo. ¡ah! ya veo."
    assert split_sentences(text) == [
        "— ¿Qué dices? —respondió Sancho—.", "No entiendo.", "¿cómo? dijo.", "¡ah! ya veo.",
    ]


def test_split_sentences_inverted_marks_do_not_split_alone() -> None:
    assert split_sentences("Y entonces, ¿qué hizo? Nada.") == ["Y entonces, ¿qué hizo?", "Nada."]
    assert split_sentences("Ven. ¿Vienes? Sí.") == ["Ven.", "¿Vienes?", "Sí."]


def test_split_sentences_closing_quotes_stay_with_sentence() -> None:
    text = "Dijo: «Ya voy.» Después calló. (Así fue.) Fin"
    assert split_sentences(text) == ["Dijo: «Ya voy.»", "Después calló.", "(Así fue.)", "Fin"]


def test_split_sentences_number_after_period_and_no_space() -> None:
    assert split_sentences("Eran las 3. 25 hombres.Y más") == ["Eran las 3.", "25 hombres.Y más"]


def test_split_sentences_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences("\n \n\n") == []
