"""Comprobaciones del modelo que arma el estudiante y de sus decodificadores.

* :func:`check_model`: el modelo de Keras es ``Embedding(mask_zero=True) →
  capas recurrentes → Dense(V)`` con logits, y el relleno a la izquierda no
  cambia su salida;
* :func:`check_next_log_probs`: la función ``prefijo → {id: log-prob}`` del
  estudiante da las log-probabilidades de su modelo (todo el prefijo, sin
  renormalizar, sin ``<pad>``, ``<unk>`` ni ``<s>``);
* :func:`check_decoder_agreement`: el ``greedy_search`` y el ``beam_search`` del
  estudiante (lección 05), sobre su ``next_log_probs``, dan lo mismo que
  :class:`helpers.decoding.Decoder` con su modelo (así el decodificador rápido
  se puede usar para la tabla).

Los valores esperados salen de otro camino: el :class:`~helpers.decoding.Decoder`
avanza la red paso a paso llevando el estado (no vuelve a pasar el prefijo).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from helpers.arrays import left_pad
from helpers.challenge.common import _special_ids
from helpers.checks import _fmt

__all__ = ["LOGP_ATOL", "as_lm", "check_decoder_agreement", "check_model",
           "check_next_log_probs", "sum_atol"]

#: Tolerancia por log-probabilidad entre dos caminos de cálculo en ``float32``.
#: El modelo calcula en ``float32`` (ε ≈ 1.2e-7): los logits (de magnitud
#: ≲ 30) salen con error relativo de unos pocos ε por cada paso de la red
#: (≲ 30 pasos), o sea ≲ 30 · 30 · 4 · 1.2e-7 ≈ 4e-4 en el peor caso y 1e-6 en
#: la práctica (medido: ≤ 3e-6). 1e-4 deja margen sin tapar un error real (un
#: token de más o de menos cambia la log-prob en más de 1e-2).
LOGP_ATOL = 1e-4
_RECURRENT = ("SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional")


def sum_atol(n_tokens: int) -> float:
    """Tolerancia de una suma de ``n_tokens`` log-probabilidades (errores que se suman)."""
    return LOGP_ATOL * max(1, n_tokens)


def as_lm(model: Any, vocab: Any, context_len: Any, min_count: Any) -> SimpleNamespace:
    """Junta el modelo del estudiante con lo que necesitan las comprobaciones del reporte
    y de la tabla (``.model``, ``.vocab``, ``.config.context_len``, ``.config.min_count``)."""
    return SimpleNamespace(model=model, vocab=vocab,
                           config=SimpleNamespace(context_len=int(context_len),
                                                  min_count=int(min_count)))


def _layers(model: Any) -> list[Any]:
    layers = [layer for layer in getattr(model, "layers", [])
              if type(layer).__name__ != "InputLayer"]
    if not layers:
        raise AssertionError(
            "modelo: se esperaba un modelo de Keras (keras.Sequential([...]) con capas) y se "
            f"obtuvo {type(model).__name__}.")
    return layers


def _logits(model: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(model(np.asarray(X, dtype=np.int32), training=False), dtype=np.float64)


def check_model(model: Any, vocab: Any, context_len: int, *, batch: int = 4,
                seed: int = 0) -> None:
    """El modelo del desafío: ``Embedding(mask_zero=True) → recurrentes → Dense(V)``.

    * la primera capa es un ``Embedding`` de ``V = len(vocab)`` filas con
      ``mask_zero=True`` (el id 0 es ``<pad>``);
    * hay al menos una capa recurrente (``SimpleRNN``, o ``LSTM``/``GRU``);
    * la última es un ``Dense`` de ``V`` unidades **sin activación**: logits;
    * con ventanas ``(lote, context_len)`` devuelve ``(lote, V)``, finito;
    * **el relleno a la izquierda no cambia la salida**: la misma ventana con
      más ``<pad>`` adelante da los mismos logits (tolerancia de ``float32``).
    """
    V = len(vocab.itos)
    layers = _layers(model)
    first, last = layers[0], layers[-1]
    if type(first).__name__ != "Embedding":
        raise AssertionError(
            f"modelo: se esperaba que la primera capa sea un Embedding y es "
            f"{type(first).__name__}.")
    if int(getattr(first, "input_dim", -1)) != V:
        raise AssertionError(
            f"modelo: el Embedding tiene que tener una fila por token del vocabulario, V = {V}, "
            f"y tiene {getattr(first, 'input_dim', None)}.")
    if not getattr(first, "mask_zero", False):
        raise AssertionError(
            "modelo: se esperaba Embedding(..., mask_zero=True): sin máscara, la red procesa "
            "el relleno <pad> (id 0) como si fueran palabras.")
    if not any(type(layer).__name__ in _RECURRENT for layer in layers):
        raise AssertionError(
            "modelo: se esperaba al menos una capa recurrente (SimpleRNN, o LSTM/GRU) y las "
            f"capas son {[type(layer).__name__ for layer in layers]}.")
    if type(last).__name__ != "Dense" or int(getattr(last, "units", -1)) != V:
        raise AssertionError(
            f"modelo: se esperaba que la última capa sea Dense(V) con V = {V} y es "
            f"{type(last).__name__}({getattr(last, 'units', '')}).")
    act = getattr(getattr(last, "activation", None), "__name__", "linear")
    if act != "linear":
        raise AssertionError(
            f"modelo: la última capa tiene que dar logits (sin activación) y tiene "
            f"activation={act!r}: las comprobaciones y el decodificador aplican el softmax.")
    rng = np.random.default_rng(seed)
    pad, unk, eos, bos = _special_ids(vocab)
    lengths = [max(1, context_len - k) for k in range(batch)]
    docs = [[bos, *rng.integers(4, max(5, V), size=n - 1).tolist()] for n in lengths]
    X = left_pad(docs, width=context_len)
    out = _logits(model, X)
    if out.shape != (batch, V):
        raise AssertionError(
            f"modelo: con ventanas de forma {X.shape} se esperaba una salida de forma "
            f"{(batch, V)} (un vector de logits por ventana) y se obtuvo {out.shape}. ¿Falta "
            "return_sequences=True en una capa recurrente que no es la última, o sobra en "
            "la última?")
    if not np.all(np.isfinite(out)):
        raise AssertionError("modelo: la salida tiene valores no finitos (NaN o inf).")
    wider = left_pad(docs, width=context_len + 5)
    diff = float(np.max(np.abs(_logits(model, wider) - out)))
    if diff > 1e-4:  # float32: lo mismo salvo redondeo
        raise AssertionError(
            f"modelo: se esperaba que rellenar con <pad> a la izquierda no cambie la salida, "
            f"y con 5 <pad> más los logits cambian hasta {diff:.3g}. ¿La máscara llega a todas "
            "las capas? (mask_zero=True en el Embedding y capas que la respetan.)")


def _ids(prefix: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(t) for t in prefix)


def _reference_logp(model: Any, prefixes: Sequence[Sequence[int]]) -> np.ndarray:
    """log P(· | prefijo) del modelo con todo el prefijo, por el camino del Decoder."""
    from helpers.decoding import Decoder

    dec = Decoder(model)
    return np.stack([np.asarray(dec.next_log_probs(p), dtype=np.float64) for p in prefixes])


def _check_keys(got: Mapping[Any, Any], expected_keys: list[int], vocab: Any,
                words: str) -> list[int]:
    pad, unk, _eos, bos = _special_ids(vocab)
    keys = [int(k) for k in got]
    if sorted(set(keys)) != expected_keys:
        extra = sorted({pad, unk, bos} & set(keys))
        missing = sorted(set(expected_keys) - set(keys))
        detail = (f"sobran {[vocab.itos[i] for i in extra]} (no se generan)" if extra else
                  f"faltan {len(missing)} ids, p. ej. {missing[:3]}" if missing else
                  "hay ids fuera del vocabulario")
        raise AssertionError(
            f"next_log_probs({words!r}): se esperaban como claves los {len(expected_keys)} "
            f"ids del vocabulario salvo <pad>, <unk> y <s>; {detail}.")
    if keys != expected_keys:
        raise AssertionError(
            f"next_log_probs({words!r}): se esperaban las claves en orden de id (así los "
            "empates van al id menor, como en el Decoder).")
    return keys


def check_next_log_probs(next_log_probs: Callable[[tuple[int, ...]], Any], model: Any,
                         vocab: Any, prefixes: Sequence[Sequence[int]], *,
                         atol: float = LOGP_ATOL) -> None:
    """``next_log_probs(prefijo)`` del desafío, contra el modelo.

    Para cada prefijo (tupla de ids que empieza con ``<s>``):

    * devuelve un diccionario ``{id: log-prob}`` con **todos** los ids salvo
      ``<pad>``, ``<unk>`` y ``<s>`` (``</s>`` incluido), en orden de id (los
      empates de greedy y beam van al primero del diccionario);
    * cada valor es ``log softmax`` de los logits del modelo sobre **todo el
      prefijo** (sin recortar a ``context_len``), **sin renormalizar** después
      de quitar los prohibidos (tolerancia :data:`LOGP_ATOL`, de ``float32``);
    * si el prefijo termina en ``</s>``, devuelve ``{}``;
    * no modifica el prefijo.
    """
    pad, unk, eos, bos = _special_ids(vocab)
    V = len(vocab.itos)
    expected_keys = [i for i in range(V) if i not in (pad, unk, bos)]
    live = [_ids(p) for p in prefixes if int(p[-1]) != eos]
    ref = _reference_logp(model, live) if live else np.zeros((0, V))
    j = 0
    for prefix in prefixes:
        prefix = _ids(prefix)
        arg = tuple(prefix)
        words = " ".join(vocab.decode(prefix))
        got = next_log_probs(arg)
        if arg != prefix:
            raise AssertionError(f"next_log_probs({words!r}): se esperaba que no cambie el prefijo.")
        if not isinstance(got, Mapping):
            raise AssertionError(
                f"next_log_probs({words!r}): se esperaba un diccionario {{id: log-prob}} y se "
                f"obtuvo {type(got).__name__}.")
        if prefix[-1] == eos:
            if got:
                raise AssertionError(
                    f"next_log_probs({words!r}): el prefijo terminó en </s>, se esperaba {{}} y "
                    f"se obtuvo un diccionario de {len(got)} tokens.")
            continue
        keys = _check_keys(got, expected_keys, vocab, words)
        vals = np.array([float(got[k]) for k in got], dtype=np.float64)
        exp = ref[j, expected_keys]
        j += 1
        diff = np.abs(vals - exp)
        if not np.all(diff <= atol):
            i = int(np.argmax(np.where(np.isfinite(diff), diff, np.inf)))
            total = float(np.exp(vals).sum())
            hint = ""
            if abs(total - 1.0) < 1e-6 and abs(float(np.exp(exp).sum()) - 1.0) > 1e-4:
                hint = (" Tus probabilidades suman 1 sin los prohibidos: se esperaban las del "
                        "modelo completo, sin renormalizar.")
            elif len(prefix) > 1:
                hint = (" ¿Usaste todo el prefijo (sin recortarlo), log softmax de los logits "
                        "y el modelo con training=False?")
            raise AssertionError(
                f"next_log_probs({words!r}): para el token {vocab.itos[keys[i]]!r} se esperaba "
                f"la log-prob del modelo {_fmt(float(exp[i]))} y se obtuvo {_fmt(float(vals[i]))} "
                f"(tolerancia {atol:g}).{hint}")


def _as_pair(result: Any, name: str) -> tuple[tuple[int, ...], float]:
    try:
        seq, lp = result[0], result[1]
        return _ids(seq), float(lp)
    except (TypeError, IndexError, ValueError) as exc:
        raise AssertionError(f"{name}: se esperaba (secuencia, log_prob, ...) y se obtuvo "
                             f"{result!r:.80}.") from exc


def _same_path(mine: tuple[int, ...], lp_mine: float, ref: tuple[int, ...], lp_ref: float,
               tol: float) -> bool:
    """Igual, o distinto solo por un empate dentro de la tolerancia (mismo puntaje)."""
    return mine == ref or (abs(lp_mine - lp_ref) <= tol and len(mine) == len(ref))


def _check_same(vocab: Any, prompt: Sequence[int], seq: Sequence[int], lp: float,
                ref: Sequence[int], lp_ref: float, label: str, what: str, hint: str) -> None:
    """Tu secuencia (con el texto inicial adelante) y su log-prob contra las del
    Decoder, con la tolerancia de una suma de float32 de ese largo."""
    mine = tuple(seq[len(prompt):])
    tol = sum_atol(len(ref))
    if tuple(seq[:len(prompt)]) != tuple(prompt) or not _same_path(mine, lp, tuple(ref), lp_ref, tol) \
            or abs(lp - lp_ref) > tol:
        raise AssertionError(
            f"{label}: el Decoder da «{' '.join(vocab.decode(ref))}» (log-prob {lp_ref:.4f}) y "
            f"{what} «{' '.join(vocab.decode(mine))}» (log-prob {lp:.4f}; tolerancia {tol:.1g}). "
            f"Revisá {hint}.")


def check_decoder_agreement(greedy_search: Callable[..., Any], beam_search: Callable[..., Any],
                            next_log_probs: Callable[..., Any], model: Any, vocab: Any,
                            prompts: Sequence[Sequence[int]], steps: int, *,
                            beam_width: int = 3, alpha: float = 0.0,
                            min_prompts: int = 3) -> None:
    """Tus ``greedy_search`` y ``beam_search`` (lección 05) contra el ``Decoder``.

    Con ``next_log_probs`` sobre el modelo y, para al menos ``min_prompts``
    textos iniciales (ids que empiezan con ``<s>``), ``steps`` pasos:

    * greedy: la misma continuación y la misma log-prob que
      ``Decoder(...).generate(..., strategy="greedy")``;
    * beam (``beam_width``, ``alpha``): el mismo mejor haz y la misma log-prob
      que ``Decoder.beam``.

    El ``Decoder`` prohíbe ``<pad>``, ``<unk>`` y ``<s>`` y termina en ``</s>``.
    Las log-probs se comparan con :func:`sum_atol` (``float32``); una diferencia
    de camino solo se acepta si es un empate dentro de esa tolerancia.
    """
    from helpers.decoding import Decoder

    if len(prompts) < min_prompts:
        raise AssertionError(f"se esperaban al menos {min_prompts} textos iniciales y hay "
                             f"{len(prompts)}.")
    pad, unk, eos, bos = _special_ids(vocab)
    dec = Decoder(model, eos_id=eos, banned_ids=[unk, bos])
    prompts = [_ids(p) for p in prompts]
    gen = dec.generate([list(p) for p in prompts], steps, strategy="greedy")
    beams = dec.beam([list(p) for p in prompts], steps, beam_width=beam_width, alpha=alpha)
    for i, prompt in enumerate(prompts):
        words = " ".join(vocab.decode(prompt))
        ref, lp_ref = tuple(gen.tokens[i]), float(gen.log_probs[i])
        seq, lp = _as_pair(greedy_search(next_log_probs, prompt, steps), "greedy_search")
        _check_same(vocab, prompt, seq, lp, ref, lp_ref, f"greedy desde {words!r}",
                    "tu greedy_search", "greedy_search (lección 05) y next_log_probs")
        if not beams[i]:
            raise AssertionError(f"beam desde {words!r}: el Decoder no devolvió haces.")
        best = beams[i][0]
        ref, lp_ref = tuple(best.tokens), float(best.log_prob)
        result = beam_search(next_log_probs, prompt, steps, beam_width, alpha)
        if not isinstance(result, (list, tuple)) or not result:
            raise AssertionError(f"beam_search: se esperaba una lista de haces y se obtuvo "
                                 f"{result!r:.80}.")
        seq, lp = _as_pair(result[0], "beam_search(...)[0]")
        _check_same(vocab, prompt, seq, lp, ref, lp_ref,
                    f"beam (ancho {beam_width}, alpha {alpha:g}) desde {words!r}", "tu mejor haz",
                    "beam_search (lección 05: puntaje, haces terminados, poda) y next_log_probs")
        if not math.isfinite(lp):
            raise AssertionError(f"beam desde {words!r}: log-prob no finita ({lp}).")
