"""Tokens especiales del curso y sus ids: definidos **una sola vez**, acá.

Los usan el vocabulario del modelo de lenguaje (:class:`helpers.lm.Vocab`), los
baselines de n-gramas (:mod:`helpers.ngram`), las métricas y comprobaciones del
desafío (:mod:`helpers.challenge`) y el vocabulario de NER (:mod:`helpers.ner`).

* ``<pad>`` (id 0): relleno; ``Embedding(mask_zero=True)`` lo enmascara;
* ``<unk>`` (id 1): palabra desconocida o rara;
* ``</s>`` (id 2): fin de documento;
* ``<s>`` (id 3): comienzo de documento.
"""

from __future__ import annotations

__all__ = ["BOS", "BOS_ID", "EOS", "EOS_ID", "PAD", "PAD_ID", "SPECIALS", "UNK", "UNK_ID"]

PAD, UNK, EOS, BOS = "<pad>", "<unk>", "</s>", "<s>"
#: Los especiales en el orden de sus ids.
SPECIALS: tuple[str, str, str, str] = (PAD, UNK, EOS, BOS)
PAD_ID, UNK_ID, EOS_ID, BOS_ID = 0, 1, 2, 3
