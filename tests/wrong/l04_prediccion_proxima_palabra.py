"""Respuestas equivocadas plausibles de la lección 04 (predicción de la próxima palabra)."""

import numpy as np

NOTEBOOK = "clase_rnn/04_prediccion_proxima_palabra.ipynb"


# ---------------------------------------------------------------------------
# make_windows
# ---------------------------------------------------------------------------
def windows_include_last(tokens, n):
    """Corrida en uno: incluye la última ventana, que no tiene token siguiente (X tiene una fila de más)."""
    tokens = list(tokens)
    X = np.array([tokens[i:i + n] for i in range(max(len(tokens) - n + 1, 0))])
    y = np.array(tokens[n:])
    return X, y


def windows_miss_last(tokens, n):
    """Corrida en uno: pierde el último par (range(T - n - 1))."""
    tokens = list(tokens)
    m = max(len(tokens) - n - 1, 0)
    return np.array([tokens[i:i + n] for i in range(m)]).reshape(m, n), np.array(tokens[n:n + m])


def target_inside_window(tokens, n):
    """El objetivo es el último token DE la ventana y no el que la sigue."""
    tokens = list(tokens)
    m = max(len(tokens) - n, 0)
    X = np.array([tokens[i:i + n] for i in range(m)]).reshape(m, n)
    y = np.array([tokens[i + n - 1] for i in range(m)])
    return X, y


def window_of_n_minus_1(tokens, n):
    """Lee la diapositiva como n-1 de contexto + 1 objetivo: ventanas de n-1 tokens."""
    tokens = list(tokens)
    m = max(len(tokens) - n + 1, 0)
    X = np.array([tokens[i:i + n - 1] for i in range(m)]).reshape(m, n - 1)
    y = np.array([tokens[i + n - 1] for i in range(m)])
    return X, y


def empty_without_shape(tokens, n):
    """Sin pares devuelve np.array([]) (forma (0,)) en lugar de forma (0, n)."""
    tokens = list(tokens)
    X = np.array([tokens[i:i + n] for i in range(len(tokens) - n)])
    y = np.array(tokens[n:])
    return X, y


def stride_n(tokens, n):
    """Ventanas sin solapamiento (paso n en lugar de 1)."""
    tokens = list(tokens)
    starts = list(range(0, max(len(tokens) - n, 0), n))
    X = np.array([tokens[i:i + n] for i in starts]).reshape(len(starts), n)
    y = np.array([tokens[i + n] for i in starts])
    return X, y


def transposed_windows(tokens, n):
    """Devuelve X transpuesta (n, T - n)."""
    tokens = list(tokens)
    m = max(len(tokens) - n, 0)
    X = np.array([tokens[i:i + n] for i in range(m)]).reshape(m, n)
    return X.T, np.array(tokens[n:n + m])


def sliding_view(tokens, n):
    """sliding_window_view(tokens, n)[:-1]: con menos de n tokens lanza ValueError en vez de devolver vacíos."""
    arr = np.asarray(list(tokens))
    X = np.lib.stride_tricks.sliding_window_view(arr, n)[:-1]
    return X, arr[n:]


def skeleton_y_one_late(tokens, n):
    """Con el esqueleto (caso sin pares dado): y empieza un token tarde (tokens[n + 1:])."""
    tokens = list(tokens)
    T = len(tokens)
    if T < n + 1:
        return np.empty((0, n)), np.empty((0,))
    X = np.array([tokens[i:i + n] for i in range(T - n)])
    y = np.array(tokens[n + 1:])
    return X, y


def skeleton_windows_to_the_end(tokens, n):
    """Con el esqueleto: una ventana por cada comienzo posible (range(T - n + 1)), y de T - n."""
    tokens = list(tokens)
    T = len(tokens)
    if T < n + 1:
        return np.empty((0, n)), np.empty((0,))
    X = np.array([tokens[i:i + n] for i in range(T - n + 1)])
    y = np.array(tokens[n:])
    return X, y


# ---------------------------------------------------------------------------
# perplexity
# ---------------------------------------------------------------------------
def product_float32(target_probs):
    """Multiplica las probabilidades en float32 y eleva a -1/N (se redondea a 0 → inf)."""
    p = np.asarray(target_probs, dtype=np.float32).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore", over="ignore"):
        return float(np.prod(p) ** (-1.0 / p.size))


def product_float64(target_probs):
    """Multiplica las probabilidades (en float64): con muchas o muy chicas el producto es 0."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore", over="ignore"):
        return float(np.prod(p) ** (-1.0 / p.size))


def mean_of_row_perplexities(target_probs):
    """Promedia las perplejidades de cada secuencia (fila) en lugar de la de corpus."""
    p = np.asarray(target_probs, dtype=np.float64)
    if p.size == 0:
        raise ValueError("vacío")
    p = p.reshape(-1, p.shape[-1]) if p.ndim > 1 else p.reshape(1, -1)
    with np.errstate(divide="ignore"):
        return float(np.mean(np.exp(-np.mean(np.log(p), axis=1))))


def log2_then_exp(target_probs):
    """Mezcla bases: promedia log2 y exponencia con e."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore"):
        return float(np.exp(-np.mean(np.log2(p))))


def ln_then_pow2(target_probs):
    """Mezcla bases: promedia ln y eleva 2 a esa potencia."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore"):
        return float(2.0 ** (-np.mean(np.log(p))))


def cross_entropy_only(target_probs):
    """Devuelve la entropía cruzada media (sin exponenciar)."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(p)))


def missing_minus_sign(target_probs):
    """Olvida el signo: exp(+media de ln p) (es 1/perplejidad)."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore"):
        return float(np.exp(np.mean(np.log(p))))


def sum_instead_of_mean(target_probs):
    """Suma los logaritmos sin dividir por N."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore", over="ignore"):
        return float(np.exp(-np.sum(np.log(p))))


def no_empty_check(target_probs):
    """No valida la entrada vacía: devuelve nan (con un aviso) en lugar de lanzar ValueError."""
    p = np.asarray(target_probs, dtype=np.float64).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.exp(-np.mean(np.log(p)))) if p.size else float("nan")


def clipped_probs(target_probs):
    """Recorta las probabilidades a [1e-10, 1] «para evitar log(0)»: cambia el resultado."""
    p = np.clip(np.asarray(target_probs, dtype=np.float64).ravel(), 1e-10, 1.0)
    if p.size == 0:
        raise ValueError("vacío")
    return float(np.exp(-np.mean(np.log(p))))


def log_mean_float32(target_probs):
    """Calcula en float32 (logaritmos y media): pierde precisión y 1e-300 se vuelve 0."""
    p = np.asarray(target_probs, dtype=np.float32).ravel()
    if p.size == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore", over="ignore"):
        return float(np.exp(-np.mean(np.log(p))))


def squeeze_then_len(target_probs):
    """np.squeeze y len(): con una sola probabilidad queda un arreglo 0-d y len() falla."""
    p = np.squeeze(np.asarray(target_probs, dtype=np.float64))
    if p.ndim > 1:
        p = p.ravel()
    if len(p) == 0:
        raise ValueError("vacío")
    with np.errstate(divide="ignore"):
        return float(np.exp(-np.sum(np.log(p)) / len(p)))


def _skeleton_probs(target_probs):
    """La parte que da el esqueleto: float64 con la forma de la entrada, ValueError si está vacía."""
    p = np.asarray(target_probs, dtype=np.float64)
    if p.size == 0:
        raise ValueError("perplexity: no hay probabilidades (la entrada está vacía)")
    return p


def skeleton_len_instead_of_size(target_probs):
    """Con el esqueleto (p conserva su forma): divide la suma de logaritmos por len(p) (filas)."""
    p = _skeleton_probs(target_probs)
    with np.errstate(divide="ignore", over="ignore"):
        pp = np.exp(-np.sum(np.log(p)) / len(p))
    return float(pp)


def skeleton_mean_over_last_axis(target_probs):
    """Con el esqueleto: promedia los logaritmos de cada fila (axis=-1) y después las perplejidades."""
    p = _skeleton_probs(target_probs)
    with np.errstate(divide="ignore"):
        pp = np.mean(np.exp(-np.mean(np.log(p), axis=-1)))
    return float(pp)


def skeleton_epsilon_in_log(target_probs):
    """Con el esqueleto: ln(p + 1e-12) «para evitar log(0)»: cambia las probabilidades muy chicas."""
    p = _skeleton_probs(target_probs)
    pp = np.exp(-np.mean(np.log(p + 1e-12)))
    return float(pp)


# ---------------------------------------------------------------------------
# next_word
# ---------------------------------------------------------------------------
def _predict(model, ids):
    return np.array(model.predict_on_batch(np.array([ids], dtype="int32")), dtype=np.float64)[0]


def _best(vocab, logits, banned=None):
    logits = logits.copy()
    banned = [vocab.pad_id, vocab.bos_id, vocab.unk_id] if banned is None else banned
    if banned:
        logits[banned] = -np.inf
    return vocab.itos[int(np.argmax(logits))]


def no_bos(model, vocab, context_tokens, context_len):
    """No agrega <s> al comienzo del contexto."""
    ids = vocab.encode(context_tokens)[-context_len:]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids))


def right_padding(model, vocab, context_tokens, context_len):
    """Rellena con <pad> a la derecha en lugar de a la izquierda."""
    ids = ([vocab.bos_id] + vocab.encode(context_tokens))[-context_len:]
    ids = ids + [vocab.pad_id] * (context_len - len(ids))
    return _best(vocab, _predict(model, ids))


def no_truncation(model, vocab, context_tokens, context_len):
    """No recorta los contextos largos: le pasa al modelo todo el contexto."""
    ids = [vocab.bos_id] + vocab.encode(context_tokens)
    ids = [vocab.pad_id] * max(context_len - len(ids), 0) + ids
    return _best(vocab, _predict(model, ids))


def keeps_first_tokens(model, vocab, context_tokens, context_len):
    """Con un contexto largo se queda con los PRIMEROS context_len tokens."""
    ids = ([vocab.bos_id] + vocab.encode(context_tokens))[:context_len]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids))


def drops_unknown_words(model, vocab, context_tokens, context_len):
    """Descarta las palabras desconocidas en lugar de codificarlas como <unk>."""
    known = [w for w in context_tokens if w in vocab.stoi]
    ids = ([vocab.bos_id] + vocab.encode(known))[-context_len:]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids))


def plain_argmax(model, vocab, context_tokens, context_len):
    """argmax sin excluir <pad>, <s> ni <unk>."""
    ids = ([vocab.bos_id] + vocab.encode(context_tokens))[-context_len:]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids), banned=[])


def bans_eos_too(model, vocab, context_tokens, context_len):
    """Excluye también </s>: el verso nunca termina."""
    ids = ([vocab.bos_id] + vocab.encode(context_tokens))[-context_len:]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids),
                 banned=[vocab.pad_id, vocab.bos_id, vocab.unk_id, vocab.eos_id])


def pads_with_unk(model, vocab, context_tokens, context_len):
    """Rellena con <unk> (id 1) en lugar de <pad> (id 0)."""
    ids = ([vocab.bos_id] + vocab.encode(context_tokens))[-context_len:]
    ids = [vocab.unk_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids))


def returns_id(model, vocab, context_tokens, context_len):
    """Devuelve el id de la palabra en lugar de la palabra."""
    ids = ([vocab.bos_id] + vocab.encode(context_tokens))[-context_len:]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    logits = _predict(model, ids)
    logits[[vocab.pad_id, vocab.bos_id, vocab.unk_id]] = -np.inf
    return int(np.argmax(logits))


def bos_after_truncation(model, vocab, context_tokens, context_len):
    """Recorta las palabras a context_len - 1 y SIEMPRE pone <s> delante, aunque el verso empiece antes."""
    ids = vocab.encode(context_tokens)[-(context_len - 1):] if context_len > 1 else []
    ids = [vocab.bos_id] + ids
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids))


def skeleton_truncates_words_then_bos(model, vocab, context_tokens, context_len):
    """Con el esqueleto: recorta las palabras a context_len y después pone <s> (context_len + 1 ids)."""
    ids = [vocab.bos_id] + vocab.encode(context_tokens)[-context_len:]
    ids = [vocab.pad_id] * (context_len - len(ids)) + ids
    return _best(vocab, _predict(model, ids))


WRONG = {
    "make_windows": [windows_include_last, windows_miss_last, target_inside_window,
                     window_of_n_minus_1, empty_without_shape, stride_n, transposed_windows,
                     sliding_view, skeleton_y_one_late, skeleton_windows_to_the_end],
    "perplexity": [product_float32, product_float64, mean_of_row_perplexities, log2_then_exp,
                   ln_then_pow2, cross_entropy_only, missing_minus_sign, sum_instead_of_mean,
                   no_empty_check, clipped_probs, log_mean_float32, squeeze_then_len,
                   skeleton_len_instead_of_size, skeleton_mean_over_last_axis, skeleton_epsilon_in_log],
    "next_word": [no_bos, right_padding, no_truncation, keeps_first_tokens, drops_unknown_words,
                  plain_argmax, bans_eos_too, pads_with_unk, returns_id, bos_after_truncation,
                  skeleton_truncates_words_then_bos],
}
