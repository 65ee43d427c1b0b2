"""Decodificación rápida para los modelos de lenguaje recurrentes del curso.

Las lecciones 05 y 06 le piden al estudiante escribir greedy, beam search y el
muestreo con temperatura sobre una interfaz *didáctica* (un diccionario de
log-probabilidades por prefijo, o un arreglo de logits de NumPy). Este módulo
hace lo mismo pero **rápido**, sobre un modelo de Keras y lotes de ids, para
generar texto de verdad (lecciones 05 y 06 y el desafío):

* No llama a ``model.predict`` por token. Arma un *modelo de un paso* que
  comparte los pesos entrenados (la capa ``Embedding``, la celda de cada capa
  recurrente y la ``Dense`` final), lleva el estado oculto de un paso al
  siguiente y compila todo el bucle de generación con ``tf.function``.
  El costo por token no depende del largo del prompt: el prompt se procesa
  una sola vez (*prefill*).
* Una sola API para greedy, muestreo con temperatura, top-k y top-p
  (:meth:`Decoder.generate`); beam search decodifica los haces de todos los
  prompts como **un** lote, con fin de secuencia por haz y penalización por
  largo (:meth:`Decoder.beam`).
* Prompts de largos distintos en un mismo lote: se rellenan a la izquierda con
  ``<pad>`` (id 0) y los pasos de relleno no tocan el estado, igual que la
  máscara de ``Embedding(mask_zero=True)`` en el modelo completo. El relleno
  nunca se genera (y se pueden prohibir otros ids, p. ej. ``<unk>``).
* :meth:`Decoder.score` da ``log P(continuación | prompt)`` en lote (para la
  perplejidad de un texto) y :meth:`Decoder.next_log_probs` envuelve el modelo
  en la interfaz de diccionario de la lección 05, guardando el estado de cada
  prefijo.

También trae utilidades de la lección 05 que no son ejercicios: dibujar un
árbol de probabilidades (:func:`plot_search_tree`), convertir una tabla de
probabilidades en la interfaz ``next_log_probs`` (:func:`table_next_log_probs`)
y sortear tablas al azar para las verificaciones (:func:`random_table`).

Estructura que espera (ver ``helpers.lm``): ``Embedding(V, E, mask_zero=True)``
→ una o más capas ``SimpleRNN``/``GRU``/``LSTM`` (con ``Dropout`` opcional entre
ellas) → ``Dense(V)`` que devuelve **logits**. El decodificador condiciona en
*toda* la historia (prompt + lo generado), que es lo mismo que llamar al modelo
completo con la secuencia entera sin recortar: el modelo acepta cualquier largo.

Ejemplo::

    from helpers.decoding import Decoder
    dec = Decoder(lm.model, eos_id=lm.vocab.eos_id)
    out = dec.generate([[3, 57, 12]], max_new_tokens=20, strategy="sample",
                       temperature=0.8, top_p=0.9, seed=0)
    out.tokens[0], out.log_probs[0]
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Decoder", "Generation", "Beam", "plot_search_tree", "table_next_log_probs",
           "random_table"]

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
    ``</s>`` si se generó). ``log_probs[i]``: suma de las log-probabilidades
    **del modelo** (temperatura 1, sin filtrar) de esos tokens: sirve para
    medir la perplejidad que el propio modelo le asigna a lo que generó.
    ``scores[i]``: el puntaje con el que se eligió (igual a ``log_probs`` salvo
    en beam search con ``alpha > 0``).
    """

    tokens: list[list[int]]
    log_probs: np.ndarray
    scores: np.ndarray


def _layer_classes() -> tuple[Any, Any, Any, Any, Any]:
    import keras

    L = keras.layers
    return L.Embedding, (L.SimpleRNN, L.GRU, L.LSTM), L.LSTM, L.Dense, L.Dropout


def _left_pad(prompts: Sequence[Sequence[int]], pad_id: int) -> np.ndarray:
    if isinstance(prompts, np.ndarray) and prompts.ndim == 2:
        return prompts.astype(np.int32)
    rows = [list(map(int, p)) for p in prompts]
    if not rows:
        raise ValueError("se necesita al menos un prompt")
    if any(len(r) == 0 for r in rows):
        raise ValueError("cada prompt necesita al menos un token (p. ej. <s>)")
    width = max(len(r) for r in rows)
    out = np.full((len(rows), width), pad_id, dtype=np.int32)
    for i, r in enumerate(rows):
        out[i, width - len(r):] = r
    return out


class Decoder:
    """Generación y puntuación rápidas para un modelo de lenguaje recurrente.

    Parámetros:

    * ``model``: Keras, con la estructura de ``helpers.lm`` (ver el módulo);
    * ``eos_id``: id de ``</s>``; una fila o un haz que lo genera termina
      (``None``: no termina nunca, siempre ``max_new_tokens`` tokens);
    * ``pad_id``: relleno (0); nunca se genera;
    * ``banned_ids``: ids que tampoco se generan (p. ej. ``<unk>`` y ``<s>``):
      sus logits pasan a ``-inf`` antes de elegir. Las log-probabilidades que
      se informan siguen siendo las del modelo completo, **sin renormalizar**;
    * ``cache_size``: prefijos cuyo estado guarda :meth:`next_log_probs`.
    """

    def __init__(self, model: Any, *, eos_id: int | None = None, pad_id: int = 0,
                 banned_ids: Sequence[int] = (), cache_size: int = 50_000) -> None:
        import tensorflow as tf

        Embedding, recurrent, LSTM, Dense, Dropout = _layer_classes()
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        embeddings = [layer for layer in layers if isinstance(layer, Embedding)]
        rnns = [layer for layer in layers if isinstance(layer, recurrent)]
        denses = [layer for layer in layers if isinstance(layer, Dense)]
        others = [layer for layer in layers
                  if not isinstance(layer, (Embedding, Dense, Dropout, *recurrent))]
        if len(embeddings) != 1 or not rnns or not denses or others \
                or layers[0] is not embeddings[0] or layers[-1] is not denses[-1] \
                or len(denses) != 1:
            raise ValueError(
                "Decoder espera Embedding → capas SimpleRNN/GRU/LSTM (Dropout opcional) → "
                f"Dense; el modelo tiene {[type(layer).__name__ for layer in layers]}")
        for layer in rnns:
            if getattr(layer, "go_backwards", False) or getattr(layer, "stateful", False):
                raise ValueError(f"{layer.name}: no se admiten capas go_backwards/stateful")
        if not getattr(embeddings[0], "mask_zero", False):
            raise ValueError("Decoder espera Embedding(mask_zero=True): el relleno (id 0) "
                             "no debe cambiar el estado")
        if getattr(denses[0].activation, "__name__", "linear") != "linear":
            raise ValueError("la Dense final debe devolver logits (activation=None), no "
                             f"{denses[0].activation.__name__}")
        self.model = model
        self.embedding, self.rnns, self.dense = embeddings[0], rnns, denses[0]
        self.vocab_size = int(self.dense.units)
        self.eos_id = -1 if eos_id is None else int(eos_id)
        self.pad_id = int(pad_id)
        banned = np.zeros(self.vocab_size, dtype=bool)
        banned[[self.pad_id, *map(int, banned_ids)]] = True
        if banned.all():
            raise ValueError("banned_ids no puede prohibir todo el vocabulario")
        #: ids que nunca se generan: el relleno y ``banned_ids``.
        self.banned_ids = tuple(int(i) for i in np.flatnonzero(banned))
        self._banned = banned
        # (capa, cantidad de estados, unidades): LSTM lleva (h, c); las otras, h.
        self._state_spec = [(layer, 2 if isinstance(layer, LSTM) else 1, int(layer.units))
                            for layer in rnns]
        self._cache: OrderedDict[tuple[int, ...], tuple[np.ndarray, tuple[Any, ...]]] = (
            OrderedDict())
        self._cache_size = cache_size
        self._tf = tf
        self._compile()

    # ------------------------------------------------------------------ núcleo
    def _zero_states(self, batch: Any) -> tuple[Any, ...]:
        tf = self._tf
        return tuple(tf.zeros(tf.stack([batch, units]), tf.float32)
                     for _, n, units in self._state_spec for _ in range(n))

    def _step(self, tokens: Any, states: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
        """Un paso: ``tokens`` (B,) y estados → logits (B, V) y estados nuevos.

        Un token de relleno deja el estado como estaba (la máscara del modelo)."""
        tf = self._tf
        x = tf.gather(self.embedding.embeddings, tokens)
        new: list[Any] = []
        i = 0
        for layer, n, _ in self._state_spec:
            x, s = layer.cell(x, list(states[i:i + n]), training=False)
            new.extend(s)
            i += n
        logits = self.dense(x)
        keep = tf.not_equal(tokens, self.pad_id)[:, None]
        return logits, tuple(tf.where(keep, a, b) for a, b in zip(new, states))

    def _prefill(self, prompts: Any) -> tuple[Any, tuple[Any, ...]]:
        """Procesa prompts rellenados a la izquierda: logits del próximo token y estado."""
        tf = self._tf
        batch = tf.shape(prompts)[0]
        states = self._zero_states(batch)
        logits = tf.zeros(tf.stack([batch, self.vocab_size]), tf.float32)
        for t in tf.range(tf.shape(prompts)[1]):
            tf.autograph.experimental.set_loop_options(
                shape_invariants=[(logits, tf.TensorShape([None, self.vocab_size]))])
            logits, states = self._step(prompts[:, t], states)
        return logits, states

    def _filter(self, logits: Any, top_k: Any, top_p: Any) -> Any:
        """Top-k y después top-p sobre logits (B, V): lo descartado queda en -inf.

        Igual que aplicar primero top-k y después top-p a lo que queda (top-p
        mide la masa con la distribución renormalizada de los k que quedaron).
        Empates: a igual logit gana el índice menor (orden estable). Top-p se
        queda con el menor conjunto cuya probabilidad alcanza ``p`` (incluye el
        token que cruza ``p``; siempre al menos uno)."""
        tf = self._tf
        V = self.vocab_size

        def apply() -> Any:
            order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
            ranks = tf.argsort(order, axis=-1, stable=True)
            in_k = tf.range(V)[None, :] < top_k
            sorted_logits = tf.gather(logits, order, batch_dims=1)
            sorted_logits = tf.where(in_k, sorted_logits, tf.constant(-np.inf, logits.dtype))
            probs = tf.nn.softmax(sorted_logits, axis=-1)
            before = tf.cumsum(probs, axis=-1, exclusive=True)
            keep_sorted = tf.logical_and(in_k, before < top_p)
            keep_sorted = tf.logical_or(keep_sorted, tf.range(V)[None, :] == 0)
            keep = tf.gather(keep_sorted, ranks, batch_dims=1)
            return tf.where(keep, logits, tf.constant(-np.inf, logits.dtype))

        return tf.cond(tf.logical_or(top_k < V, top_p < 1.0), apply, lambda: logits)

    def _compile(self) -> None:
        tf = self._tf
        V = self.vocab_size
        state_sig = tuple(tf.TensorSpec([None, units], tf.float32)
                          for _, n, units in self._state_spec for _ in range(n))
        ids = tf.TensorSpec([None, None], tf.int32)
        scalar_i = tf.TensorSpec([], tf.int32)
        scalar_f = tf.TensorSpec([], tf.float32)

        @tf.function(input_signature=[ids])
        def prefill(prompts: Any) -> Any:
            logits, states = self._prefill(prompts)
            return tf.nn.log_softmax(logits), states

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32), state_sig])
        def step(tokens: Any, states: Any) -> Any:
            logits, states = self._step(tokens, states)
            return tf.nn.log_softmax(logits), states

        @tf.function(input_signature=[ids, scalar_i, tf.TensorSpec([], tf.bool), scalar_f,
                                      scalar_i, scalar_f, tf.TensorSpec([2], tf.int32)])
        def generate(prompts, max_new, greedy, temperature, top_k, top_p, seed):
            logits, states = self._prefill(prompts)
            batch = tf.shape(prompts)[0]
            finished = tf.zeros([batch], tf.bool)
            total = tf.zeros([batch], tf.float64)
            out = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
            banned = tf.constant(self._banned)[None, :]
            for t in tf.range(max_new):
                # log P(token) = logit - logsumexp(logits): la del modelo completo,
                # sin renormalizar aunque el relleno (y lo prohibido) nunca se genere.
                lse = tf.reduce_logsumexp(logits, axis=-1)
                choice = tf.where(banned, tf.constant(-np.inf, tf.float32), logits)
                step_seed = tf.stack([seed[0], seed[1] + t])
                tok = tf.cond(
                    greedy,
                    lambda: tf.math.top_k(choice, k=1).indices[:, 0],
                    lambda: tf.random.stateless_categorical(
                        self._filter(choice / temperature, top_k, top_p), 1,
                        seed=step_seed, dtype=tf.int32)[:, 0])
                tok = tf.where(finished, self.pad_id, tok)
                lp = tf.gather(logits, tok, batch_dims=1) - lse
                total += tf.where(finished, tf.constant(0.0, tf.float64), tf.cast(lp, tf.float64))
                finished = tf.logical_or(finished, tf.equal(tok, self.eos_id))
                out = out.write(t, tok)
                if tf.reduce_all(finished) or t + 1 == max_new:
                    break
                logits, states = self._step(tok, states)
            return out.stack(), total

        @tf.function(input_signature=[ids, scalar_i, scalar_i, tf.TensorSpec([], tf.float64)])
        def beam(prompts, max_new, width, alpha):
            logits, states = self._prefill(prompts)
            B = tf.shape(prompts)[0]
            K = width
            k_local = tf.minimum(K, V)
            neg_inf = tf.constant(-np.inf, tf.float64)
            # B*K filas: el haz k del prompt b es la fila b*K + k.
            states = tuple(tf.repeat(s, K, axis=0) for s in states)
            logits = tf.repeat(logits, K, axis=0)
            # Al principio solo vive el haz 0: así no hay haces repetidos.
            beam_lp = tf.where(tf.range(K)[None, :] == 0, tf.constant(0.0, tf.float64),
                               neg_inf) + tf.zeros([B, 1], tf.float64)
            beam_len = tf.zeros([B, K], tf.int32)
            beam_fin = tf.zeros([B, K], tf.bool)
            banned = tf.constant(self._banned)[None, :]
            first_slot = tf.range(k_local)[None, None, :] == 0
            toks_ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
            parents_ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
            for t in tf.range(max_new):
                tf.autograph.experimental.set_loop_options(shape_invariants=[
                    (beam_lp, tf.TensorShape([None, None])),
                    (logits, tf.TensorShape([None, V]))])
                # Un haz vivo nunca propone el relleno ni lo prohibido. El top
                # global de K está dentro de los K mejores hijos de cada haz, así
                # que alcanza con esos (empates: id menor primero, igual que
                # en el orden plano haz·V + token).
                lse = tf.reduce_logsumexp(logits, axis=-1, keepdims=True)
                local = tf.math.top_k(
                    tf.where(banned, tf.constant(-np.inf, tf.float32), logits), k=k_local)
                child_lp = tf.reshape(tf.cast(local.values - lse, tf.float64), [B, K, k_local])
                child_tok = tf.reshape(local.indices, [B, K, k_local])
                fin = beam_fin[:, :, None]
                # Un haz terminado se propone a sí mismo una sola vez (primer
                # lugar, token de relleno) con su log-prob sin cambios.
                cand_lp = tf.where(fin, tf.where(first_slot, beam_lp[:, :, None], neg_inf),
                                   beam_lp[:, :, None] + child_lp)
                cand_tok = tf.where(fin, self.pad_id, child_tok)
                cand_len = beam_len + tf.cast(tf.logical_not(beam_fin), tf.int32)
                denom = tf.pow(tf.maximum(tf.cast(cand_len, tf.float64), 1.0), alpha)
                cand_score = cand_lp / denom[:, :, None]
                top = tf.math.top_k(tf.reshape(cand_score, [B, K * k_local]), k=K)
                parent = top.indices // k_local
                tok = tf.gather(tf.reshape(cand_tok, [B, K * k_local]), top.indices, batch_dims=1)
                beam_lp = tf.gather(tf.reshape(cand_lp, [B, K * k_local]), top.indices,
                                    batch_dims=1)
                parent_fin = tf.gather(beam_fin, parent, batch_dims=1)
                beam_len = tf.gather(cand_len, parent, batch_dims=1)
                beam_fin = tf.logical_or(parent_fin, tf.equal(tok, self.eos_id))
                toks_ta = toks_ta.write(t, tok)
                parents_ta = parents_ta.write(t, parent)
                if tf.reduce_all(beam_fin) or t + 1 == max_new:
                    break
                rows = tf.reshape(parent + tf.range(B)[:, None] * K, [-1])
                states = tuple(tf.gather(s, rows) for s in states)
                logits, states = self._step(tf.reshape(tok, [-1]), states)
            # Reconstruir las secuencias hacia atrás con los padres de cada paso.
            toks = toks_ta.stack()          # (T, B, K)
            parents = parents_ta.stack()    # (T, B, K)
            steps = tf.shape(toks)[0]
            idx = tf.tile(tf.range(K)[None, :], [B, 1])
            out = tf.TensorArray(tf.int32, size=steps)
            for i in tf.range(steps - 1, -1, -1):
                out = out.write(i, tf.gather(toks[i], idx, batch_dims=1))
                idx = tf.gather(parents[i], idx, batch_dims=1)
            seqs = tf.transpose(out.stack(), [1, 2, 0])   # (B, K, T)
            denom = tf.pow(tf.maximum(tf.cast(beam_len, tf.float64), 1.0), alpha)
            return seqs, beam_lp, beam_lp / denom, beam_len

        @tf.function(input_signature=[ids, tf.TensorSpec([None, None], tf.bool)])
        def score(seqs, target):
            batch = tf.shape(seqs)[0]
            states = self._zero_states(batch)
            total = tf.zeros([batch], tf.float64)
            for t in tf.range(tf.shape(seqs)[1] - 1):
                logits, states = self._step(seqs[:, t], states)
                lp = tf.gather(tf.nn.log_softmax(logits), seqs[:, t + 1], batch_dims=1)
                total += tf.where(target[:, t + 1], tf.cast(lp, tf.float64),
                                  tf.constant(0.0, tf.float64))
            return total

        self._prefill_fn, self._step_fn = prefill, step
        self._generate_fn, self._beam_fn, self._score_fn = generate, beam, score

    # ------------------------------------------------------------- API pública
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
                              np.array([b[0].log_prob for b in beams]),
                              np.array([b[0].score for b in beams]))
        if temperature <= 0:
            raise ValueError(f"la temperatura debe ser positiva y se recibió {temperature}")
        k = self.vocab_size if top_k is None else int(top_k)
        p = 1.0 if top_p is None else float(top_p)
        if k < 1 or not 0.0 < p <= 1.0:
            raise ValueError("top_k debe ser >= 1 y top_p debe estar en (0, 1]")
        x = _left_pad(prompts, self.pad_id)
        toks, total = self._generate_fn(
            x, np.int32(max_new_tokens), np.bool_(strategy == "greedy"),
            np.float32(temperature), np.int32(min(k, self.vocab_size)), np.float32(p),
            np.array([seed % (2**31), 0], np.int32))
        toks = toks.numpy().T
        out = [self._trim(row) for row in toks]
        total = total.numpy()
        return Generation(out, total, total.copy())

    def _trim(self, row: Sequence[int]) -> list[int]:
        res: list[int] = []
        for tok in row:
            tok = int(tok)
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
        x = _left_pad(prompts, self.pad_id)
        seqs, lp, sc, lens = self._beam_fn(x, np.int32(max_new_tokens), np.int32(beam_width),
                                           np.float64(alpha))
        seqs, lp, sc, lens = seqs.numpy(), lp.numpy(), sc.numpy(), lens.numpy()
        out = []
        for b in range(x.shape[0]):
            out.append([Beam(tuple(int(t) for t in seqs[b, k, :lens[b, k]]),
                             float(lp[b, k]), float(sc[b, k]))
                        for k in range(beam_width) if np.isfinite(lp[b, k])])
        return out

    def score(self, prompts: Sequence[Sequence[int]],
              continuations: Sequence[Sequence[int]]) -> np.ndarray:
        """``log P(continuación | prompt)`` para cada par, en un lote (float64).

        Los prompts pueden tener largos distintos (no vacíos); una continuación
        vacía vale 0."""
        if len(prompts) != len(continuations):
            raise ValueError("hace falta una continuación por prompt")
        if any(len(p) == 0 for p in prompts):
            raise ValueError("cada prompt necesita al menos un token (p. ej. <s>)")
        full = [list(p) + list(c) for p, c in zip(prompts, continuations)]
        x = _left_pad(full, self.pad_id)
        target = np.zeros(x.shape, dtype=bool)
        for i, c in enumerate(continuations):
            if len(c):
                target[i, x.shape[1] - len(c):] = True
        if x.shape[1] < 2:
            return np.zeros(len(full))
        return self._score_fn(x, target).numpy()

    def next_log_probs(self, prefix: Sequence[int]) -> np.ndarray:
        """Log-probabilidades (V,) del próximo token dado ``prefix`` (ids).

        Guarda el estado de cada prefijo visto: si ya se calculó ``prefix[:-1]``,
        cuesta un solo paso. Sirve para envolver el modelo en la interfaz de
        diccionario de la lección 05."""
        key = tuple(int(t) for t in prefix)
        if not key:
            raise ValueError("el prefijo necesita al menos un token (p. ej. <s>)")
        hit = self._cache.get(key)
        if hit is None:
            parent = self._cache.get(key[:-1]) if len(key) > 1 else None
            if parent is not None:
                logp, states = self._step_fn(np.array([key[-1]], np.int32), parent[1])
            else:
                logp, states = self._prefill_fn(np.array([key], np.int32))
            hit = (logp.numpy()[0], states)
            self._cache[key] = hit
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return hit[0]

    def clear_cache(self) -> None:
        """Vacía la caché de estados de :meth:`next_log_probs`."""
        self._cache.clear()


# ---------------------------------------------------------------------------
# Dibujo del árbol de probabilidades (lección 05)
# ---------------------------------------------------------------------------
def plot_search_tree(children: Callable[[tuple[Any, ...]], Mapping[Any, float]],
                     root: tuple[Any, ...], *, depth: int = 3,
                     paths: Mapping[str, Sequence[Any]] | None = None,
                     ax: Any = None, title: str | None = None) -> Any:
    """Dibuja el árbol de continuaciones ``children(prefijo) -> {token: prob}``.

    Cada arista lleva su probabilidad condicional; cada hoja, la probabilidad
    del camino. ``paths`` = ``{"etiqueta": secuencia}`` resalta caminos (p. ej.
    el de greedy y el de beam search) con colores distintos."""
    import matplotlib.pyplot as plt

    nodes: list[tuple[tuple[Any, ...], float]] = []

    def walk(prefix: tuple[Any, ...], prob: float, level: int) -> None:
        nodes.append((prefix, prob))
        if level == depth:
            return
        for tok, p in children(prefix).items():
            walk(prefix + (tok,), prob * p, level + 1)

    walk(tuple(root), 1.0, 0)
    leaves = [n for n in nodes if not any(m[0][:-1] == n[0] for m in nodes)]
    ypos: dict[tuple[Any, ...], float] = {}
    for i, (pref, _) in enumerate(leaves):
        ypos[pref] = -float(i)
    for pref, _ in sorted(nodes, key=lambda n: -len(n[0])):
        if pref not in ypos:
            kids = [ypos[m[0]] for m in nodes if m[0][:-1] == pref and m[0] in ypos]
            ypos[pref] = float(np.mean(kids))
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 * (depth + 1), 0.55 * len(leaves) + 1))
    base = len(root)
    colors = ["C3", "C2", "C0", "C1", "C4"]
    on_path: dict[tuple[Any, ...], str] = {}
    legend = []
    for j, (label, seq) in enumerate((paths or {}).items()):
        color = colors[j % len(colors)]
        seq = tuple(seq)
        for n in range(base + 1, len(seq) + 1):
            on_path.setdefault(seq[:n], color)
        legend.append((label, color))
    probs = dict(nodes)
    for pref, prob in nodes:
        x, y = len(pref) - base, ypos[pref]
        if len(pref) > base:
            parent = pref[:-1]
            px, py = len(parent) - base, ypos[parent]
            color = on_path.get(pref, "0.6")
            ax.plot([px, x], [py, y], color=color, lw=2.5 if pref in on_path else 1, zorder=1)
            edge = prob / probs[parent] if probs[parent] else 0.0
            ax.text((px + x) / 2, (py + y) / 2 + 0.12, f"{edge:g}", fontsize=8,
                    ha="center", color="0.25")
        is_leaf = (pref, prob) in leaves
        text = str(pref[-1]) if pref else "∅"
        if is_leaf and len(pref) > base:
            text += f"  ({prob:.3g})"
        ax.text(x, y, text, ha="left" if is_leaf and len(pref) > base else "center",
                va="center", fontsize=9, zorder=3,
                bbox={"boxstyle": "round,pad=0.25", "fc": "white",
                      "ec": on_path.get(pref, "0.5")})
    for label, color in legend:
        ax.plot([], [], color=color, lw=2.5, label=label)
    if legend:
        ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_xlim(-0.4, depth + 0.9)
    ax.set_ylim(-len(leaves) + 0.3, 0.8)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    return ax


# ---------------------------------------------------------------------------
# Tablas de continuaciones (interfaz de diccionario de la lección 05)
# ---------------------------------------------------------------------------
def table_next_log_probs(table: Mapping[tuple[Any, ...], Mapping[Any, float]]
                         ) -> Callable[[tuple[Any, ...]], dict[Any, float]]:
    """Convierte ``{prefijo: {token: probabilidad}}`` en ``next_log_probs``.

    La función devuelta recibe un prefijo (tupla) y devuelve ``{token:
    log-probabilidad}`` en el orden de la tabla. Un prefijo que no está en la
    tabla no tiene continuaciones: devuelve ``{}`` (la secuencia terminó). Las
    probabilidades no se renormalizan: si una fila suma menos de 1, la masa que
    falta es de continuaciones que la tabla no muestra. Una probabilidad 0 se
    omite (su logaritmo sería -inf)."""
    logs = {tuple(pref): {tok: float(np.log(p)) for tok, p in row.items() if p > 0}
            for pref, row in table.items()}

    def next_log_probs(prefix: tuple[Any, ...]) -> dict[Any, float]:
        return dict(logs.get(tuple(prefix), {}))

    return next_log_probs


def random_table(seed: int | np.random.Generator, *, vocab: Sequence[Any] = "abcd",
                 depth: int = 3, max_children: int = 3, p_end: float = 0.2,
                 concentration: float | tuple[float, float] = 1.0,
                 root: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], dict[Any, float]]:
    """Un árbol de continuaciones al azar, completo hasta ``depth`` tokens.

    Cada prefijo (salvo la raíz) termina con probabilidad ``p_end``; si no,
    tiene entre 1 y ``max_children`` hijos distintos de ``vocab`` con
    probabilidades de una Dirichlet(``concentration``) (suman 1). Con un par
    ``(a, b)``, la concentración de cada prefijo se sortea log-uniforme entre
    ``a`` y ``b``: mezcla distribuciones picudas (chica) y parejas (grande).
    Sirve para comparar búsquedas en muchos casos: pasale el resultado a
    :func:`table_next_log_probs`."""
    rng = np.random.default_rng(seed)
    if isinstance(concentration, tuple):
        lo, hi = np.log(concentration[0]), np.log(concentration[1])
    else:
        lo = hi = float(np.log(concentration))
    vocab = list(vocab)
    table: dict[tuple[Any, ...], dict[Any, float]] = {}

    def grow(prefix: tuple[Any, ...], level: int) -> None:
        if level == depth or (level > 0 and rng.random() < p_end):
            return
        n = int(rng.integers(1, min(max_children, len(vocab)) + 1))
        toks = [vocab[i] for i in rng.choice(len(vocab), size=n, replace=False)]
        probs = rng.dirichlet(np.full(n, np.exp(rng.uniform(lo, hi))))
        table[prefix] = {t: float(p) for t, p in zip(toks, probs)}
        for t in toks:
            grow(prefix + (t,), level + 1)

    grow(tuple(root), 0)
    return table
