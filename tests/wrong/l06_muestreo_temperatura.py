"""Respuestas equivocadas plausibles de la lección 06 (temperatura, muestreo, top-k, top-p).

sample_next se evalúa con una softmax de referencia (parte oculta, checks.graded_alone):
un error en softmax_with_temperature cuesta solo sus puntos.

top_k_filter y top_p_filter son ejercicios opcionales (sin puntos): sus respuestas
equivocadas tienen que hacer fallar la prueba visible, que no tiene parte oculta
(nbgrader no admite pruebas ocultas fuera de una celda con puntos). Esas pruebas no
traen una implementación de referencia: casos fijos resueltos a mano y propiedades
de cada fila (cuántos quedan, sin cambios, los mayores, empates, masa >= p).
"""

import numpy as np

NOTEBOOK = "clase_rnn/06_muestreo_temperatura.ipynb"


def _softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


# ------------------------------------------------------ softmax_with_temperature
def softmax_sin_restar_maximo(logits, T):
    """No resta el máximo: exp(1000) desborda y da NaN."""
    if T <= 0:
        raise ValueError("T debe ser positiva")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(logits, dtype=np.float64) / T)
        return e / e.sum(axis=-1, keepdims=True)


def softmax_temperatura_despues(logits, T):
    """Aplica la temperatura después de la softmax: softmax(logits) / T."""
    if T <= 0:
        raise ValueError("T debe ser positiva")
    return _softmax(logits) / T


def softmax_temperatura_despues_renormaliza(logits, T):
    """Divide las probabilidades por T y renormaliza: equivale a ignorar T."""
    if T <= 0:
        raise ValueError("T debe ser positiva")
    p = _softmax(logits) / T
    return p / p.sum(axis=-1, keepdims=True)


def softmax_multiplica_T(logits, T):
    """Multiplica los logits por T en lugar de dividirlos."""
    if T <= 0:
        raise ValueError("T debe ser positiva")
    return _softmax(np.asarray(logits, dtype=np.float64) * T)


def softmax_eje_equivocado(logits, T):
    """Normaliza sobre el primer eje (columnas de un lote) en lugar del último."""
    if T <= 0:
        raise ValueError("T debe ser positiva")
    return _softmax(np.asarray(logits, dtype=np.float64) / T, axis=0)


def softmax_todo_el_lote(logits, T):
    """Normaliza sobre todo el arreglo: un lote entero suma 1."""
    if T <= 0:
        raise ValueError("T debe ser positiva")
    z = np.asarray(logits, dtype=np.float64) / T
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_acepta_T_cero(logits, T):
    """Solo rechaza T negativas: con T = 0 divide por cero."""
    if T < 0:
        raise ValueError("T debe ser positiva")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _softmax(np.asarray(logits, dtype=np.float64) / T)


def softmax_error_equivocado(logits, T):
    """Con T <= 0 lanza AssertionError (un assert) en lugar de ValueError."""
    assert T > 0, "T debe ser positiva"
    return _softmax(np.asarray(logits, dtype=np.float64) / T)


def softmax_maximo_global(logits, T):
    """Resta el máximo de todo el arreglo y no el de cada fila: filas de escalas distintas dan NaN."""
    if not T > 0:
        raise ValueError(f"T debe ser positiva y es {T!r}")
    z = np.asarray(logits, dtype=np.float64) / T
    with np.errstate(invalid="ignore"):
        e = np.exp(z - np.max(z))
        return e / np.sum(e, axis=-1, keepdims=True)


# ------------------------------------------------------------------ sample_next
def _cdf_sample(probs, u):
    cdf = np.cumsum(probs, axis=-1)
    return np.minimum(np.sum(cdf <= u, axis=-1), probs.shape[-1] - 1)


def sample_siempre_lote(logits, T, rng):
    """Pasa la entrada a 2-D (np.atleast_2d): con un vector (V,) devuelve forma (1,) y no un solo id."""
    x = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    p = _softmax(x / T)
    return _cdf_sample(p, rng.random(p.shape[:-1] + (1,)))


def sample_fila_por_fila(logits, T, rng):
    """Sortea fila por fila con rng.choice y arma el resultado con np.array: sin filas da floats."""
    x = np.asarray(logits, dtype=np.float64)
    p = _softmax(x / T).reshape(-1, x.shape[-1])
    ids = np.array([rng.choice(x.shape[-1], p=fila) for fila in p])
    return ids.reshape(x.shape[:-1])


def sample_ignora_T(logits, T, rng):
    """Muestrea de softmax(logits) sin temperatura."""
    p = _softmax(logits)
    return _cdf_sample(p, rng.random(p.shape[:-1] + (1,)))


def sample_pesos_sin_normalizar(logits, T, rng):
    """Sortea con la acumulada de exp(logits / T) sin dividir por la suma."""
    x = np.asarray(logits, dtype=np.float64) / T
    w = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return _cdf_sample(w, rng.random(w.shape[:-1] + (1,)))


def sample_temperatura_despues(logits, T, rng):
    """Aplica T después de la softmax (p / T renormalizado = ignorar T)."""
    p = _softmax(logits) / T
    p = p / p.sum(axis=-1, keepdims=True)
    return _cdf_sample(p, rng.random(p.shape[:-1] + (1,)))


def sample_multiplica_T(logits, T, rng):
    """Multiplica los logits por T en lugar de dividirlos."""
    p = _softmax(np.asarray(logits, dtype=np.float64) * T)
    return _cdf_sample(p, rng.random(p.shape[:-1] + (1,)))


def sample_argmax(logits, T, rng):
    """Devuelve siempre el más probable (greedy) en lugar de sortear."""
    return np.argmax(np.asarray(logits, dtype=np.float64), axis=-1)


def sample_azar_global(logits, T, rng):
    """Ignora rng y usa el estado global de NumPy (np.random)."""
    p = _softmax(np.asarray(logits, dtype=np.float64) / T)
    return _cdf_sample(p, np.random.random(p.shape[:-1] + (1,)))


def sample_rng_nuevo(logits, T, rng):
    """Crea un generador nuevo con semilla fija en cada llamada: no avanza."""
    p = _softmax(np.asarray(logits, dtype=np.float64) / T)
    return _cdf_sample(p, np.random.default_rng(0).random(p.shape[:-1] + (1,)))


def sample_un_u_para_todo(logits, T, rng):
    """Usa un solo número al azar para todas las filas del lote."""
    p = _softmax(np.asarray(logits, dtype=np.float64) / T)
    return _cdf_sample(p, rng.random())


def sample_corrido_un_lugar(logits, T, rng):
    """Inversa de la acumulada corrida: devuelve el primer j con F_j > u, más uno."""
    p = _softmax(np.asarray(logits, dtype=np.float64) / T)
    return np.minimum(_cdf_sample(p, rng.random(p.shape[:-1] + (1,))) + 1, p.shape[-1] - 1)


# ------------------------------------------------------------------ top_k_filter
def top_k_umbral_con_empates(logits, k):
    """Umbral en el k-ésimo valor: con empates deja más de k tokens."""
    x = np.array(logits, dtype=np.float64)
    k = min(k, x.shape[-1])
    kth = np.sort(x, axis=-1)[..., -k][..., None]
    return np.where(x < kth, -np.inf, x)


def top_k_argsort_al_reves(logits, k):
    """np.argsort(x)[::-1]: los empates quedan con el índice mayor primero."""
    x = np.array(logits, dtype=np.float64)
    orden = np.argsort(x, axis=-1, kind="stable")[..., ::-1]
    np.put_along_axis(x, orden[..., k:], -np.inf, axis=-1)
    return x


def top_k_modifica_entrada(logits, k):
    """Escribe -inf sobre el arreglo de entrada (no hace una copia)."""
    x = logits if isinstance(logits, np.ndarray) else np.array(logits, dtype=np.float64)
    orden = np.argsort(-x, axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k:], -np.inf, axis=-1)
    return x


def top_k_cero_en_lugar_de_menos_inf(logits, k):
    """Pone 0 en lugar de -inf en los descartados."""
    x = np.array(logits, dtype=np.float64)
    orden = np.argsort(-x, axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k:], 0.0, axis=-1)
    return x


def top_k_uno_de_mas(logits, k):
    """Deja k + 1 tokens."""
    x = np.array(logits, dtype=np.float64)
    orden = np.argsort(-x, axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k + 1:], -np.inf, axis=-1)
    return x


def top_k_los_menores(logits, k):
    """Deja los k logits más chicos."""
    x = np.array(logits, dtype=np.float64)
    orden = np.argsort(x, axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k:], -np.inf, axis=-1)
    return x


def top_k_todo_el_lote(logits, k):
    """Elige los k mayores de todo el lote, no de cada fila."""
    x = np.array(logits, dtype=np.float64)
    plano = x.ravel()
    orden = np.argsort(-plano, kind="stable")
    plano[orden[k:]] = -np.inf
    return plano.reshape(x.shape)


def top_k_valor_absoluto(logits, k):
    """Deja los k logits de mayor valor absoluto (np.abs) en lugar de los mayores."""
    x = np.array(logits, dtype=np.float64)
    orden = np.argsort(-np.abs(x), axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k:], -np.inf, axis=-1)
    return x


def top_k_devuelve_probabilidades(logits, k):
    """Devuelve las probabilidades renormalizadas en lugar de los logits."""
    x = np.array(logits, dtype=np.float64)
    orden = np.argsort(-x, axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k:], -np.inf, axis=-1)
    return _softmax(x)


def top_k_devuelve_la_entrada(logits, k):
    """Con k >= V devuelve la misma entrada (sin copia): modificar el resultado cambia los logits."""
    x = np.asarray(logits, dtype=np.float64)
    if k >= x.shape[-1]:
        return x
    x = x.copy()
    orden = np.argsort(-x, axis=-1, kind="stable")
    np.put_along_axis(x, orden[..., k:], -np.inf, axis=-1)
    return x


# ------------------------------------------------------------------ top_p_filter
def _top_p(logits, p, *, rule, order="stable", min_one=True, use_logits=False, inplace=False,
           axis_all=False, probs_out=False):
    x = logits if inplace and isinstance(logits, np.ndarray) else np.array(logits, dtype=np.float64)
    if axis_all:
        shape = x.shape
        x = x.reshape(1, -1)
    probs = _softmax(x)
    valores = x if use_logits else probs
    if order == "stable":
        orden = np.argsort(-x, axis=-1, kind="stable")
    elif order == "reverse":
        orden = np.argsort(x, axis=-1, kind="stable")[..., ::-1]
    else:  # ascendente
        orden = np.argsort(x, axis=-1, kind="stable")
    ordenadas = np.take_along_axis(valores, orden, axis=-1)
    acumulada = np.cumsum(ordenadas, axis=-1)
    antes = acumulada - ordenadas
    if rule == "before":
        quitar = antes >= p
    elif rule == "cumsum_le":
        quitar = acumulada > p
    else:  # cumsum_lt
        quitar = acumulada >= p
    if min_one:
        quitar[..., 0] = False
    sacar = np.zeros_like(quitar)
    np.put_along_axis(sacar, orden, quitar, axis=-1)
    x[sacar] = -np.inf
    if axis_all:
        x = x.reshape(shape)
    if probs_out:
        return _softmax(x)
    return x


def top_p_maximo_global(logits, p):
    """Resta el máximo de todo el lote para la softmax: en filas de escalas distintas da NaN y no corta."""
    x = np.array(logits, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.exp(x - np.max(x)) if x.size else np.exp(x)
        probs = e / np.sum(e, axis=-1, keepdims=True)
    orden = np.argsort(-x, axis=-1, kind="stable")
    ordenadas = np.take_along_axis(probs, orden, axis=-1)
    antes = np.cumsum(ordenadas, axis=-1) - ordenadas
    quitar = antes >= p
    quitar[..., 0] = False
    sacar = np.zeros_like(quitar)
    np.put_along_axis(sacar, orden, quitar, axis=-1)
    x[sacar] = -np.inf
    return x


def top_p_excluye_el_que_cruza(logits, p):
    """Se queda solo con los tokens cuya acumulada (incluyéndolos) no pasa p."""
    return _top_p(logits, p, rule="cumsum_le")


def top_p_sin_minimo(logits, p):
    """Acumulada estrictamente menor que p y sin garantizar un token: puede no dejar ninguno."""
    return _top_p(logits, p, rule="cumsum_lt", min_one=False)


def top_p_acumula_logits(logits, p):
    """Acumula los logits en lugar de las probabilidades."""
    return _top_p(logits, p, rule="before", use_logits=True)


def top_p_orden_ascendente(logits, p):
    """Ordena de menor a mayor probabilidad: se queda con la cola."""
    return _top_p(logits, p, rule="before", order="asc")


def top_p_argsort_al_reves(logits, p):
    """np.argsort(x)[::-1]: los empates quedan con el índice mayor primero."""
    return _top_p(logits, p, rule="before", order="reverse")


def top_p_modifica_entrada(logits, p):
    """Escribe -inf sobre el arreglo de entrada."""
    return _top_p(logits, p, rule="before", inplace=True)


def top_p_todo_el_lote(logits, p):
    """Calcula la softmax y el corte sobre todo el lote junto, no por fila."""
    return _top_p(logits, p, rule="before", axis_all=True)


def top_p_devuelve_probabilidades(logits, p):
    """Devuelve las probabilidades renormalizadas en lugar de los logits."""
    return _top_p(logits, p, rule="before", probs_out=True)


WRONG = {
    "softmax_with_temperature": [
        softmax_sin_restar_maximo,
        softmax_temperatura_despues,
        softmax_temperatura_despues_renormaliza,
        softmax_multiplica_T,
        softmax_eje_equivocado,
        softmax_todo_el_lote,
        softmax_acepta_T_cero,
        softmax_error_equivocado,
        softmax_maximo_global,
    ],
    "sample_next": [
        sample_ignora_T,
        sample_pesos_sin_normalizar,
        sample_temperatura_despues,
        sample_multiplica_T,
        sample_argmax,
        sample_azar_global,
        sample_rng_nuevo,
        sample_un_u_para_todo,
        sample_corrido_un_lugar,
        sample_siempre_lote,
        sample_fila_por_fila,
    ],
    "top_k_filter": [
        top_k_umbral_con_empates,
        top_k_argsort_al_reves,
        top_k_modifica_entrada,
        top_k_cero_en_lugar_de_menos_inf,
        top_k_uno_de_mas,
        top_k_los_menores,
        top_k_todo_el_lote,
        top_k_valor_absoluto,
        top_k_devuelve_probabilidades,
        top_k_devuelve_la_entrada,
    ],
    "top_p_filter": [
        top_p_excluye_el_que_cruza,
        top_p_sin_minimo,
        top_p_acumula_logits,
        top_p_orden_ascendente,
        top_p_argsort_al_reves,
        top_p_modifica_entrada,
        top_p_todo_el_lote,
        top_p_devuelve_probabilidades,
        top_p_maximo_global,
    ],
}
