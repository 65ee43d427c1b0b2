"""Pruebas de ``helpers.decoding`` y propiedades de las búsquedas de las lecciones 05 y 06.

* El decodificador rápido (estado llevado paso a paso, bucle compilado) da lo
  mismo que una implementación de referencia simple que llama al modelo
  completo con la secuencia entera en cada paso, en modelos chicos al azar con
  la estructura de ``helpers.lm`` (SimpleRNN, GRU, LSTM, una o dos capas).
* Beam search del decodificador == ``beam_search`` de la solución de la
  lección 05 sobre el mismo modelo; el muestreo sortea de la distribución que
  dan las funciones de la lección 06 (prueba estadística).
* Propiedades (hypothesis) de las funciones de la lección 05 sobre tablas al
  azar: ancho >= cantidad de secuencias completas == búsqueda exhaustiva, ancho
  1 == greedy, y de las de la lección 06: softmax, top-k y top-p.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from notebook_harness import GradedNotebook  # noqa: E402

from helpers.decoding import Decoder, random_table, table_next_log_probs  # noqa: E402
from helpers.decoding.samplers import filter_logits  # noqa: E402
from helpers.lm import LMConfig, build_lm  # noqa: E402

# Sus fixtures de módulo (modelos, corpus, clases simuladas) se arman una sola vez:
# todas las pruebas del módulo van al mismo proceso de xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("decoding")

V, PAD, UNK, EOS, BOS = 23, 0, 1, 2, 3

# Tolerancias, desde la precisión que se usa. El decodificador y la referencia
# calculan cada logit en float32 por caminos distintos (la celda paso a paso
# contra la capa entera; lotes de otra forma → otro orden de suma dentro de las
# multiplicaciones de matrices, distinto según la carga y los hilos). Un logit es
# una suma de productos: FAN_IN términos a lo largo del camino (entrada + estado
# de cada capa recurrente y la Dense), cada uno con error relativo de a lo sumo
# EPS32 sobre valores de magnitud <= |logit| máximo (la escala, que mide la
# referencia). Una log-prob = z_y - logsumexp(z) junta el error de dos de esos
# valores: 2·EPS32·FAN_IN·escala por token; una suma de n log-probs (acumulada en
# float64, que no agrega error apreciable) n veces eso. Con estos modelos (FAN_IN
# 32–52, |logit| <= ~7) son ~5e-5 por token: la diferencia que se vio una vez con
# la máquina cargada (2.1e-4 en 15 tokens de simple_rnn) queda dentro (cota ~7e-4).
EPS32 = float(np.finfo(np.float32).eps)     # 1.19e-7
EPS64 = float(np.finfo(np.float64).eps)     # 2.2e-16
CONFIGS = {
    "simple_rnn": LMConfig(cell="simple_rnn", embed_dim=8, units=(12,), dropout=0.0),
    "gru_2capas": LMConfig(cell="gru", embed_dim=8, units=(12, 10), dropout=0.2),
    "lstm": LMConfig(cell="lstm", embed_dim=8, units=(12,), dropout=0.1),
}
PROMPTS = [[BOS, 5, 7, 9, 4], [BOS], [BOS, 11, 6], [BOS, 8, 8, 8, 8, 8, 8, 8, 8, 13]]


# --------------------------------------------------------------------- modelos
def _model(name: str, seed: int = 0):
    keras.utils.set_random_seed(seed)
    model = build_lm(V, CONFIGS[name])
    # Pesos más grandes que los iniciales: distribuciones más picudas, sin casi-empates.
    for w in model.weights:
        w.assign(w.numpy() * 3.0)
    return model


def fan_in(config: LMConfig) -> int:
    """Productos que se suman para un logit: cada capa recurrente (entrada + estado) y la Dense."""
    widths = (config.embed_dim, *config.units)
    return sum(widths[i] + widths[i + 1] for i in range(len(config.units))) + config.units[-1]


def lp_tol(name: str, ref: Reference, n_tokens: int = 1) -> float:
    """Cota del error de una suma de ``n_tokens`` log-probs float32 (ver arriba)."""
    return max(n_tokens, 1) * 2 * EPS32 * fan_in(CONFIGS[name]) * ref.scale


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def case(request):
    model = _model(request.param)
    dec = Decoder(model, eos_id=EOS, banned_ids=[UNK, BOS])
    return request.param, model, dec


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


class Reference:
    """Lo más simple posible: el modelo completo sobre toda la secuencia en cada paso."""

    def __init__(self, model, banned=(PAD, UNK, BOS)):
        import tensorflow as tf

        self.model, self.banned, self._memo = model, set(banned), {}
        #: |logit| máximo visto (la escala de las tolerancias; al menos 1).
        self.scale = 1.0
        # Solo compilado para que las pruebas no tarden: es model(secuencia entera).
        self._call = tf.function(lambda x: model(x, training=False),
                                 input_signature=[tf.TensorSpec([None, None], tf.int32)])

    def log_probs(self, seq) -> np.ndarray:
        key = tuple(seq)
        if key not in self._memo:
            logits = keras.ops.convert_to_numpy(self._call(np.array([key], np.int32)))[0]
            self.scale = max(self.scale, float(np.abs(logits).max()))
            self._memo[key] = _log_softmax(logits)
        return self._memo[key]

    def next_log_probs(self, prefix) -> dict:
        """Interfaz de la lección 05: {} si el prefijo terminó en </s>."""
        if prefix[-1] == EOS:
            return {}
        lp = self.log_probs(prefix)
        return {i: float(v) for i, v in enumerate(lp) if i not in self.banned}

    def score(self, prompt, tokens) -> float:
        seq, total = list(prompt), 0.0
        for t in tokens:
            total += self.log_probs(seq)[t]
            seq.append(t)
        return total


def _lesson(relpath: str) -> dict:
    return GradedNotebook.load(relpath).namespace()


@pytest.fixture(scope="module")
def l05() -> dict:
    return _lesson("clase_rnn/05_beam_search.ipynb")


@pytest.fixture(scope="module")
def l06() -> dict:
    return _lesson("clase_rnn/06_muestreo_temperatura.ipynb")


# ------------------------------------------------------------ helpers.decoding
def test_next_log_probs_matches_full_model(case):
    name, model, dec = case
    ref = Reference(model)
    dec.clear_cache()
    seq = [BOS]
    for t in [5, 7, 9, 4, 12, 6, 6, 20, 15, 3, 8, 2, 10, 11]:
        expected = ref.log_probs(seq)
        np.testing.assert_allclose(dec.next_log_probs(seq), expected, atol=lp_tol(name, ref))
        seq.append(t)
    # Sin caché (prefill de toda la secuencia) da lo mismo que paso a paso.
    dec.clear_cache()
    expected = ref.log_probs(seq)
    np.testing.assert_allclose(dec.next_log_probs(seq), expected, atol=lp_tol(name, ref))


def test_greedy_equals_reference(case):
    name, model, dec = case
    ref = Reference(model)
    out = dec.greedy(PROMPTS, 15)
    for prompt, toks, lp in zip(PROMPTS, out.tokens, out.log_probs):
        seq = list(prompt)
        for i, t in enumerate(toks):
            lps = ref.log_probs(seq)
            allowed = np.array([j not in ref.banned for j in range(V)])
            best = np.max(lps[allowed])
            # A menos de una cota de error del mejor: un casi empate lo puede decidir el redondeo.
            assert lps[t] >= best - 2 * lp_tol(name, ref), f"paso {i}: {t} no es el más probable"
            assert allowed[t]
            seq.append(t)
        assert len(toks) == 15 or toks[-1] == EOS
        assert EOS not in toks[:-1]
        expected = ref.score(prompt, toks)
        assert lp == pytest.approx(expected, abs=lp_tol(name, ref, len(toks)))


def test_batch_equals_one_by_one(case):
    name, model, dec = case
    ref = Reference(model)
    batch = dec.greedy(PROMPTS, 12)
    for i, p in enumerate(PROMPTS):
        alone = dec.greedy([p], 12)
        assert alone.tokens[0] == batch.tokens[i]
        ref.score(p, alone.tokens[0])   # la escala de los logits de esta secuencia
        tol = lp_tol(name, ref, len(alone.tokens[0]))
        assert alone.log_probs[0] == pytest.approx(batch.log_probs[i], abs=tol)
    beams = dec.beam(PROMPTS, 8, beam_width=3, alpha=0.5)
    for i, p in enumerate(PROMPTS):
        alone = dec.beam([p], 8, beam_width=3, alpha=0.5)[0]
        assert [b.tokens for b in alone] == [b.tokens for b in beams[i]]
        for b in alone:
            ref.score(p, b.tokens)
        # El puntaje es log P / L**alpha con L >= 1: su error no supera el de log P.
        tol = lp_tol(name, ref, 8)
        np.testing.assert_allclose([b.score for b in alone], [b.score for b in beams[i]], atol=tol)


@pytest.mark.parametrize("width,alpha,steps", [(3, 0.0, 7), (4, 0.7, 9), (2, 2.0, 6)])
def test_beam_equals_lesson_beam_search(case, l05, width, alpha, steps):
    name, model, dec = case
    ref = Reference(model)
    fast = dec.beam(PROMPTS[:3], steps, beam_width=width, alpha=alpha)
    for prompt, beams in zip(PROMPTS[:3], fast):
        expected = l05["beam_search"](ref.next_log_probs, tuple(prompt), steps, width, alpha)
        assert len(beams) == len(expected)
        tol = lp_tol(name, ref, steps)   # a lo sumo `steps` log-probs por haz
        got_scores = [b.score for b in beams]
        np.testing.assert_allclose(got_scores, [e[2] for e in expected], atol=tol)
        assert got_scores == sorted(got_scores, reverse=True)
        assert len({b.tokens for b in beams}) == len(beams)
        for b, (seq, lp, sc) in zip(beams, expected):
            assert b.tokens == tuple(seq[len(prompt):])
            assert b.log_prob == pytest.approx(lp, abs=tol)
            # La log-prob de cada haz es la que le da el modelo completo a su secuencia.
            assert b.log_prob == pytest.approx(ref.score(prompt, b.tokens), abs=tol)
            # Mismo log P en float64, dividido por L**alpha en TF y acá: unos pocos ulp.
            assert b.score == pytest.approx(b.log_prob / max(len(b.tokens), 1) ** alpha,
                                            rel=8 * EPS64)


def test_beam_width_one_is_greedy(case):
    name, model, dec = case
    ref = Reference(model)
    g = dec.greedy(PROMPTS, 10)
    b = dec.beam(PROMPTS, 10, beam_width=1)
    assert [x[0].tokens for x in b] == [tuple(t) for t in g.tokens]
    for p, t in zip(PROMPTS, g.tokens):
        ref.score(p, t)
    np.testing.assert_allclose([x[0].log_prob for x in b], g.log_probs, atol=lp_tol(name, ref, 10))
    out = dec.generate(PROMPTS, 10, strategy="beam", beam_width=1)
    assert out.tokens == g.tokens


def test_sample_log_probs_are_the_models(case):
    name, model, dec = case
    ref = Reference(model)
    out = dec.sample(PROMPTS, 10, temperature=1.3, top_k=8, top_p=0.95, seed=3)
    for prompt, toks, lp in zip(PROMPTS, out.tokens, out.log_probs):
        expected = ref.score(prompt, toks)
        assert lp == pytest.approx(expected, abs=lp_tol(name, ref, len(toks)))
        assert not set(toks) & set(dec.banned_ids)
        assert EOS not in toks[:-1]


def test_sampling_is_reproducible(case):
    _, _, dec = case
    a = dec.sample(PROMPTS * 5, 10, temperature=1.5, seed=11)
    b = dec.sample(PROMPTS * 5, 10, temperature=1.5, seed=11)
    c = dec.sample(PROMPTS * 5, 10, temperature=1.5, seed=12)
    assert a.tokens == b.tokens
    assert a.tokens != c.tokens


@pytest.mark.parametrize("T,k,p", [(1.0, None, None), (0.6, None, None), (1.4, 6, None),
                                   (1.0, None, 0.8), (1.7, 9, 0.7)])
def test_first_token_distribution(case, l06, T, k, p):
    """Frecuencias del primer token contra softmax(top_p(top_k(logits / T))) de la lección 06."""
    _, model, dec = case
    prompt = PROMPTS[0]
    logits = Reference(model).log_probs(prompt).copy()
    logits[list(dec.banned_ids)] = -np.inf
    x = logits / T
    if k is not None:
        x = l06["top_k_filter"](x, k)
    if p is not None:
        x = l06["top_p_filter"](x, p)
    q = l06["softmax_with_temperature"](x, 1.0)
    n = 20_000
    out = dec.sample([prompt] * n, 1, temperature=T, top_k=k, top_p=p, seed=5)
    first = np.array([t[0] for t in out.tokens])
    f = np.bincount(first, minlength=V) / n
    eps = math.sqrt(math.log(2 * V / 1e-6) / (2 * n))     # Hoeffding + unión, delta = 1e-6
    assert np.max(np.abs(f - q)) <= eps
    assert np.all(f[q == 0] == 0)


def test_filter_equals_lesson_filters(case, l06):
    import tensorflow as tf

    _, _, dec = case
    rng = np.random.default_rng(0)
    x = rng.normal(scale=2.0, size=(200, V)).astype(np.float32)
    x[rng.random(x.shape) < 0.1] = -np.inf
    x[:, 0] = np.maximum(x[:, 0], -5)          # al menos un valor finito por fila
    x[::7, 3:9] = 1.25                        # empates
    for k, p in [(5, 1.0), (V, 0.6), (8, 0.9), (1, 0.5), (V, 0.05)]:
        got = filter_logits(tf.constant(x), tf.constant(k), tf.constant(p, tf.float32)).numpy()
        exp = l06["top_p_filter"](l06["top_k_filter"](x.astype(np.float64), k), p)
        # Fuera de los casos al borde de p (float32 contra float64), las mismas posiciones.
        xk = l06["top_k_filter"](x.astype(np.float64), k)
        z = xk - np.max(xk, axis=-1, keepdims=True)
        pk = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
        srt = np.take_along_axis(pk, np.argsort(-xk, axis=-1, kind="stable"), -1)
        before = np.cumsum(srt, -1) - srt
        margin = np.where(srt > 0, np.abs(before - p), np.inf)   # solo tokens con masa
        # La masa acumulada en float32 (suma de hasta V probabilidades <= 1) se aleja de la
        # de float64 a lo sumo V·EPS32 (~2.7e-6): más lejos que 4 veces eso de p, es segura.
        safe = np.min(margin, axis=-1) > 4 * V * EPS32
        assert safe.sum() > 150
        np.testing.assert_array_equal(np.isneginf(got[safe]), np.isneginf(exp[safe]))


def test_score_prompts_of_different_lengths(case):
    name, model, dec = case
    ref = Reference(model)
    conts = [[4, 5, 6, EOS], [9], [], [7, 7, 7, 7, 7, 12]]
    got = dec.score(PROMPTS, conts)
    exp = [ref.score(p, c) for p, c in zip(PROMPTS, conts)]
    np.testing.assert_allclose(got, exp, atol=lp_tol(name, ref, max(map(len, conts))))


def test_eos_ends_rows_and_beams():
    model = _model("gru_2capas", seed=1)
    dec = Decoder(model, eos_id=EOS)
    # Un EOS muy probable: todas las filas terminan enseguida y nada sigue después.
    bias = model.layers[-1].bias
    b = bias.numpy()
    b[EOS] += 8.0
    bias.assign(b)
    dec = Decoder(model, eos_id=EOS)
    out = dec.sample(PROMPTS, 20, temperature=1.0, seed=0)
    assert all(t and t[-1] == EOS and EOS not in t[:-1] for t in out.tokens)
    beams = dec.beam(PROMPTS, 6, beam_width=4, alpha=0.0)
    for bs in beams:
        assert bs[0].tokens == (EOS,)
        assert all(EOS not in b.tokens[:-1] for b in bs)
    # Sin eos_id no termina nunca: largo fijo.
    dec2 = Decoder(model, eos_id=None)
    assert all(len(t) == 7 for t in dec2.greedy(PROMPTS, 7).tokens)


def test_cost_per_token_does_not_depend_on_prompt_length():
    """El prompt se procesa una vez: generar después cuesta lo mismo (misma salida)."""
    model = _model("lstm", seed=2)
    dec = Decoder(model, eos_id=None)
    short = [BOS] + [5] * 15
    long = [BOS] + [5] * 400 + [6] * 15
    a = dec.greedy([short], 5)
    b = dec.greedy([long], 5)
    assert len(a.tokens[0]) == len(b.tokens[0]) == 5
    ref = Reference(model)
    expected = ref.score(long, b.tokens[0])
    assert b.log_probs[0] == pytest.approx(expected, abs=lp_tol("lstm", ref, 5))


def test_invalid_arguments_and_models():
    model = _model("simple_rnn")
    dec = Decoder(model, eos_id=EOS)
    with pytest.raises(ValueError):
        dec.sample(PROMPTS, 5, temperature=0.0)
    with pytest.raises(ValueError):
        dec.sample(PROMPTS, 5, top_p=1.5)
    with pytest.raises(ValueError):
        dec.sample(PROMPTS, 5, top_k=0)
    with pytest.raises(ValueError):
        dec.beam(PROMPTS, 5, beam_width=0)
    with pytest.raises(ValueError):
        dec.generate(PROMPTS, 5, strategy="nucleus")
    with pytest.raises(ValueError):
        dec.greedy([[]], 5)
    bidir = keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(V, 4, mask_zero=True),
        keras.layers.Bidirectional(keras.layers.GRU(4)),
        keras.layers.Dense(V),
    ])
    with pytest.raises(ValueError):
        Decoder(bidir)


# ------------------------------------------------- lección 05: propiedades
# Acá todo es float64 de Python: sumas de a lo sumo 6 log-probs de magnitud < 20,
# con error < 6·20·EPS64 ≈ 3e-14; 1e-12 deja margen sin tapar un error de verdad.
@st.composite
def tables(draw, depth=3):
    """Árboles chicos con pesos enteros (muchos empates) y secuencias que terminan."""
    table: dict = {}

    def grow(prefix: tuple, level: int) -> None:
        if level == depth or (level > 0 and draw(st.integers(0, 3)) == 0):
            return
        toks = draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=3, unique=True))
        weights = draw(st.lists(st.integers(1, 4), min_size=len(toks), max_size=len(toks)))
        table[prefix] = {t: w / sum(weights) for t, w in zip(toks, weights)}
        for t in toks:
            grow(prefix + (t,), level + 1)

    grow((), 0)
    return table


def exhaustive(f, prefix, steps, alpha=0.0):
    out = []

    def walk(seq, lp):
        n = len(seq) - len(prefix)
        op = f(seq) if n < steps else {}
        if not op:
            out.append((seq, lp, lp / max(n, 1) ** alpha))
        for t, l in op.items():
            walk(seq + (t,), lp + l)

    walk(tuple(prefix), 0.0)
    return out


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(table=tables(), alpha=st.sampled_from([0.0, 0.5, 1.0]), steps=st.integers(1, 3))
def test_wide_beam_is_exhaustive(l05, table, alpha, steps):
    f = table_next_log_probs(table)
    todas = exhaustive(f, (), steps, alpha)
    beams = l05["beam_search"](f, (), steps, len(todas), alpha)
    assert {(s, lp) for s, lp, _ in beams} == {(s, lp) for s, lp, _ in todas}
    assert beams[0][2] == pytest.approx(max(c[2] for c in todas), abs=1e-12)


@SETTINGS
@given(table=tables(), steps=st.integers(1, 3))
def test_width_one_is_greedy(l05, table, steps):
    f = table_next_log_probs(table)
    (seq, lp, _), = l05["beam_search"](f, (), steps, 1)
    g_seq, g_lp = l05["greedy_search"](f, (), steps)
    assert seq == g_seq and lp == pytest.approx(g_lp, abs=1e-12)


@SETTINGS
@given(table=tables(), width=st.integers(1, 4), steps=st.integers(1, 3),
       alpha=st.sampled_from([0.0, 0.7]))
def test_beams_sorted_unique_and_bounded(l05, table, width, steps, alpha):
    f = table_next_log_probs(table)
    beams = l05["beam_search"](f, (), steps, width, alpha)
    scores = [b[2] for b in beams]
    assert scores == sorted(scores, reverse=True)
    assert len({b[0] for b in beams}) == len(beams) <= width
    best_exhaustive = max(c[2] for c in exhaustive(f, (), steps, alpha))
    assert beams[0][2] <= best_exhaustive + 1e-12


@SETTINGS
@given(table=tables(depth=2), width=st.integers(1, 4))
def test_two_steps_beam_never_loses_to_greedy(l05, table, width):
    """Con 2 pasos (y alpha = 0) beam search nunca pierde contra greedy."""
    f = table_next_log_probs(table)
    assert l05["beam_search"](f, (), 2, width)[0][1] >= l05["greedy_search"](f, (), 2)[1] - 1e-12


def test_beam_can_lose_to_greedy_in_random_tables(l05):
    """Lo que la diapositiva niega: con 3 pasos, beam (ancho 2) a veces pierde."""
    losses = 0
    for i in range(400):
        f = table_next_log_probs(random_table(i, vocab="abcdefghij", depth=3, max_children=10,
                                              p_end=0.0, concentration=(0.2, 100.0)))
        losses += l05["beam_search"](f, (), 3, 2)[0][1] < l05["greedy_search"](f, (), 3)[1] - 1e-12
    assert losses > 0


def test_random_table_is_a_valid_tree():
    for i in range(30):
        t = random_table(i, vocab=range(5), depth=4, max_children=4, p_end=0.3, root=("<s>",))
        assert ("<s>",) in t
        for prefix, row in t.items():
            assert prefix[0] == "<s>" and len(prefix) <= 4
            assert sum(row.values()) == pytest.approx(1.0)
            assert all(p > 0 for p in row.values())


# ------------------------------------------------- lección 06: propiedades
# float64: softmax de a lo sumo unas decenas de términos; 1e-9 está muy por encima
# del redondeo (~V·EPS64) y muy por debajo de cualquier error de fórmula.
finite_rows = st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=finite_rows, T=st.floats(0.05, 50), shift=st.floats(-500, 500))
def test_softmax_properties(l06, row, T, shift):
    sm = l06["softmax_with_temperature"]
    x = np.array(row)
    p = sm(x, T)
    assert p.sum() == pytest.approx(1.0) and np.all(p >= 0)
    np.testing.assert_allclose(sm(x + shift, T), p, atol=1e-9)
    assert p[np.argmax(x)] >= p.max() - 1e-12


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=finite_rows, k=st.integers(1, 15))
def test_top_k_properties(l06, row, k):
    x = np.array(row)
    out = l06["top_k_filter"](x, k)
    kept = np.isfinite(out)
    assert kept.sum() == min(k, len(x))
    np.testing.assert_array_equal(out[kept], x[kept])
    if kept.sum() < len(x):
        assert x[kept].min() >= x[~kept].max()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=finite_rows, p=st.floats(0.01, 1.0))
def test_top_p_properties(l06, row, p):
    x = np.array(row)
    out = l06["top_p_filter"](x, p)
    kept = np.isfinite(out)
    probs = l06["softmax_with_temperature"](x, 1.0)
    assert kept.sum() >= 1
    np.testing.assert_array_equal(out[kept], x[kept])
    mass = probs[kept].sum()
    assert mass >= p - 1e-9 or kept.all()
    # Mínimo: sin el menos probable de los que quedan, no se alcanza p.
    if kept.sum() > 1:
        assert mass - probs[kept].min() < p + 1e-9
    if (~kept).any():
        assert x[kept].min() >= x[~kept].max()
