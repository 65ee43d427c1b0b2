"""La API del decodificador: :class:`Decoder`, y lo que devuelve (:class:`Generation`, :class:`Beam`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.arrays import left_pad
from helpers.decoding.beam import compile_beam
from helpers.decoding.samplers import compile_greedy, compile_sample
from helpers.decoding.scoring import compile_prefill, compile_score, compile_step
from helpers.decoding.stepper import StepModel, banned_mask
from helpers.tokens import PAD_ID

__all__ = ["Beam", "Decoder", "Generation"]

_STRATEGIES = ("greedy", "sample", "beam")


@dataclass(frozen=True)
class Beam:
    """Un haz terminado: ids generados (sin el prompt), log-prob y puntaje."""

    tokens: tuple[int, ...]
    log_prob: float
    score: float


@dataclass
class Generation:
    """Resultado de :meth:`Decoder.generate` para un lote de prompts.

    ``tokens[i]``: ids generados para el prompt ``i`` (sin el prompt; incluye
    ``</s>`` si se generó). ``log_probs[i]``: suma (en ``float64``) de las
    log-probabilidades **del modelo** (temperatura 1, sin filtrar) de esos
    tokens: sirve para medir la perplejidad que el propio modelo le asigna a lo
    que generó.
    """

    tokens: list[list[int]]
    log_probs: np.ndarray


class Decoder:
    """Generación y puntuación rápidas para un modelo de lenguaje recurrente.

    Parámetros:

    * ``model``: Keras, con la estructura de ``helpers.lm`` (ver el paquete);
    * ``eos_id``: id de ``</s>``; una fila o un haz que lo genera termina
      (``None``: no termina nunca, siempre ``max_new_tokens`` tokens);
    * ``pad_id``: relleno (0); nunca se genera;
    * ``banned_ids``: ids que tampoco se generan (p. ej. ``<unk>`` y ``<s>``):
      sus logits pasan a ``-inf`` antes de elegir. Las log-probabilidades que
      se informan siguen siendo las del modelo completo, **sin renormalizar**;
    * ``cache_size``: prefijos cuyo estado guarda :meth:`next_log_probs`.

    ``stepper`` es el modelo de un paso (:class:`~helpers.decoding.stepper.StepModel`)
    y las funciones compiladas son del decodificador, no del modelo de Keras.
    """

    def __init__(self, model: Any, *, eos_id: int | None = None, pad_id: int = PAD_ID,
                 banned_ids: Sequence[int] = (), cache_size: int = 50_000) -> None:
        self.stepper = StepModel(model, pad_id=pad_id)
        self.model = model
        self.embedding, self.rnns, self.dense = (self.stepper.embedding, self.stepper.rnns,
                                                 self.stepper.dense)
        self.vocab_size = self.stepper.vocab_size
        self.eos_id = -1 if eos_id is None else int(eos_id)
        self.pad_id = int(pad_id)
        banned = banned_mask(self.vocab_size, self.pad_id, banned_ids)
        #: ids que nunca se generan: el relleno y ``banned_ids``.
        self.banned_ids = tuple(int(i) for i in np.flatnonzero(banned))
        self._cache: OrderedDict[tuple[int, ...], tuple[np.ndarray, tuple[Any, ...]]] = (
            OrderedDict())
        self._cache_size = cache_size
        sm = self.stepper
        self._greedy_fn = compile_greedy(sm, banned, self.eos_id)
        self._sample_fn = compile_sample(sm, banned, self.eos_id)
        self._beam_fn = compile_beam(sm, banned, self.eos_id)
        self._prefill_fn, self._step_fn = compile_prefill(sm), compile_step(sm)
        self._score_fn = compile_score(sm)

    # ------------------------------------------------------------- generación
    def generate(self, prompts: Sequence[Sequence[int]], max_new_tokens: int, *,
                 strategy: str = "greedy", temperature: float = 1.0,
                 top_k: int | None = None, top_p: float | None = None,
                 beam_width: int = 4, alpha: float = 0.0, seed: int = 0) -> Generation:
        """Genera hasta ``max_new_tokens`` tokens para cada prompt (ids).

        ``strategy``: ``"greedy"`` (el más probable en cada paso; empates → id
        menor), ``"sample"`` (muestreo de ``softmax(logits / temperature)``,
        filtrado antes con ``top_k`` y/o ``top_p`` si se dan; reproducible con
        ``seed``) o ``"beam"`` (el mejor haz de :meth:`beam`). Una fila termina
        cuando genera ``eos_id``."""
        if strategy not in _STRATEGIES:
            raise ValueError(f"strategy debe ser uno de {_STRATEGIES}, no {strategy!r}")
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens debe ser al menos 1")
        if strategy == "beam":
            beams = self.beam(prompts, max_new_tokens, beam_width=beam_width, alpha=alpha)
            return Generation([list(b[0].tokens) for b in beams],
                              np.array([b[0].log_prob for b in beams]))
        if strategy == "greedy":
            toks, total = self._greedy_fn(left_pad(prompts, self.pad_id),
                                          np.int32(max_new_tokens))
        else:
            args = self._sampling_args(temperature, top_k, top_p, seed)
            toks, total = self._sample_fn(left_pad(prompts, self.pad_id),
                                          np.int32(max_new_tokens), *args)
        return Generation([self._trim(row) for row in toks.numpy().T], total.numpy())

    def _sampling_args(self, temperature: float, top_k: int | None, top_p: float | None,
                       seed: int) -> tuple[Any, ...]:
        if temperature <= 0:
            raise ValueError(f"la temperatura debe ser positiva y se recibió {temperature}")
        k = self.vocab_size if top_k is None else int(top_k)
        p = 1.0 if top_p is None else float(top_p)
        if k < 1 or not 0.0 < p <= 1.0:
            raise ValueError("top_k debe ser >= 1 y top_p debe estar en (0, 1]")
        return (np.float32(temperature), np.int32(min(k, self.vocab_size)), np.float32(p),
                np.array([seed % (2**31), 0], np.int32))

    def _trim(self, row: Sequence[int]) -> list[int]:
        res: list[int] = []
        for tok in map(int, row):
            if tok == self.pad_id:
                break
            res.append(tok)
            if tok == self.eos_id:
                break
        return res

    def greedy(self, prompts: Sequence[Sequence[int]], max_new_tokens: int) -> Generation:
        """Atajo de ``generate(..., strategy="greedy")``."""
        return self.generate(prompts, max_new_tokens, strategy="greedy")

    def sample(self, prompts: Sequence[Sequence[int]], max_new_tokens: int, *,
               temperature: float = 1.0, top_k: int | None = None,
               top_p: float | None = None, seed: int = 0) -> Generation:
        """Atajo de ``generate(..., strategy="sample")``."""
        return self.generate(prompts, max_new_tokens, strategy="sample",
                             temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)

    def beam(self, prompts: Sequence[Sequence[int]], max_new_tokens: int, *,
             beam_width: int = 4, alpha: float = 0.0) -> list[list[Beam]]:
        """Beam search de ancho ``beam_width`` para cada prompt, en un solo lote.

        Puntaje de un haz: ``log P / L**alpha`` con ``L`` = tokens generados
        (incluido ``</s>``); se usa para podar en cada paso y para ordenar. Un
        haz que genera ``eos_id`` queda terminado: compite con su puntaje pero
        no se extiende. Empates: gana el candidato que aparece antes (haz
        anterior, y dentro del haz el id menor). Devuelve, por prompt, los haces
        ordenados por puntaje, sin repetidos."""
        if beam_width < 1:
            raise ValueError("beam_width debe ser al menos 1")
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens debe ser al menos 1")
        x = left_pad(prompts, self.pad_id)
        seqs, lp, sc, lens = (a.numpy() for a in self._beam_fn(
            x, np.int32(max_new_tokens), np.int32(beam_width), np.float64(alpha)))
        return [[Beam(tuple(int(t) for t in seqs[b, k, :lens[b, k]]), float(lp[b, k]),
                      float(sc[b, k]))
                 for k in range(beam_width) if np.isfinite(lp[b, k])]
                for b in range(x.shape[0])]

    # ------------------------------------------------------------- puntuación
    def score(self, prompts: Sequence[Sequence[int]],
              continuations: Sequence[Sequence[int]]) -> np.ndarray:
        """``log P(continuación | prompt)`` para cada par, en un lote (float64).

        Los prompts pueden tener largos distintos (no vacíos); una continuación
        vacía vale 0."""
        if len(prompts) != len(continuations):
            raise ValueError("hace falta una continuación por prompt")
        if any(len(p) == 0 for p in prompts):
            raise ValueError("cada prompt necesita al menos un token (p. ej. <s>)")
        full = [list(p) + list(c) for p, c in zip(prompts, continuations, strict=True)]
        x = left_pad(full, self.pad_id)
        target = np.zeros(x.shape, dtype=bool)
        for i, c in enumerate(continuations):
            if len(c):
                target[i, x.shape[1] - len(c):] = True
        if x.shape[1] < 2:
            return np.zeros(len(full))
        return np.asarray(self._score_fn(x, target).numpy())

    def next_log_probs(self, prefix: Sequence[int]) -> np.ndarray:
        """Log-probabilidades (V,) del próximo token dado ``prefix`` (ids).

        Guarda el estado de cada prefijo visto: si ya se calculó ``prefix[:-1]``,
        cuesta un solo paso. Sirve para envolver el modelo en la interfaz de
        diccionario de la lección 05."""
        key = tuple(int(t) for t in prefix)
        if not key:
            raise ValueError("el prefijo necesita al menos un token (p. ej. <s>)")
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit[0]
        parent = self._cache.get(key[:-1]) if len(key) > 1 else None
        if parent is not None:
            logp, states = self._step_fn(np.array([key[-1]], np.int32), parent[1])
        else:
            logp, states = self._prefill_fn(np.array([key], np.int32))
        self._cache[key] = hit = (logp.numpy()[0], states)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return hit[0]

    def clear_cache(self) -> None:
        """Vacía la caché de estados de :meth:`next_log_probs`."""
        self._cache.clear()
