"""Respuestas equivocadas plausibles de la lección 04 (predicción de la próxima palabra).

El ejercicio 5 (compilar y entrenar, celda ``entrenar_modelo``) no es una función:
lo corrige ``test_entrenar_modelo`` con el modelo que quedó entrenado en el
notebook (perplejidad de validación recalculada con Keras contra la del
unigrama), así que no tiene respuestas equivocadas acá. Su contrato incluye
``build_language_model`` (entrena *ese* modelo); la celda de entrenamiento sigue
aunque fallen ``perplexity`` (usa la pérdida de Keras para la parada temprana) o
``next_word`` (el verso de cada época es opcional).
"""

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
# build_language_model
# ---------------------------------------------------------------------------
def _sequential(*layers):
    import keras

    return keras.Sequential([keras.Input(shape=(None,), dtype="int32"), *layers])


def no_mask(vocab_size, embedding_dim, units):
    """Embedding sin mask_zero=True: la SimpleRNN procesa el relleno <pad> como una palabra."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim),
                       keras.layers.SimpleRNN(units), keras.layers.Dense(vocab_size))


def softmax_output(vocab_size, embedding_dim, units):
    """Dense con activation="softmax": devuelve probabilidades en lugar de logits."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                       keras.layers.SimpleRNN(units),
                       keras.layers.Dense(vocab_size, activation="softmax"))


def no_dense(vocab_size, embedding_dim, units):
    """Sin la Dense final: devuelve el estado h_T (lote, U) en lugar de los logits (lote, V)."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                       keras.layers.SimpleRNN(units))


def rnn_as_output(vocab_size, embedding_dim, units):
    """Sin Dense, con una SimpleRNN de V unidades «para que la salida tenga tamaño V»."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                       keras.layers.SimpleRNN(vocab_size))


def return_sequences(vocab_size, embedding_dim, units):
    """SimpleRNN(return_sequences=True): logits de cada posición (lote, largo, V), no muchos a uno."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                       keras.layers.SimpleRNN(units, return_sequences=True),
                       keras.layers.Dense(vocab_size))


def dense_of_units(vocab_size, embedding_dim, units):
    """Dense(units) en lugar de Dense(vocab_size): la salida no tiene un logit por palabra."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                       keras.layers.SimpleRNN(units), keras.layers.Dense(units))


def swapped_sizes(vocab_size, embedding_dim, units):
    """Tamaños cambiados: Embedding de `units` y SimpleRNN de `embedding_dim`."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, units, mask_zero=True),
                       keras.layers.SimpleRNN(embedding_dim), keras.layers.Dense(vocab_size))


def rnn_without_bias(vocab_size, embedding_dim, units):
    """SimpleRNN(use_bias=False): falta b_h (U parámetros menos)."""
    import keras

    return _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                       keras.layers.SimpleRNN(units, use_bias=False), keras.layers.Dense(vocab_size))


def compiled_inside(vocab_size, embedding_dim, units):
    """Compila el modelo adentro de la función (la consigna pide devolverlo sin compilar)."""
    import keras

    m = _sequential(keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
                    keras.layers.SimpleRNN(units), keras.layers.Dense(vocab_size))
    m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return m


def wraps_helpers_build_lm(vocab_size, embedding_dim, units):
    """Llama a helpers.lm.build_lm con una LMConfig de esos tamaños y sin dropout (compila el modelo)."""
    from helpers.lm import LMConfig, build_lm

    return build_lm(vocab_size, LMConfig(embed_dim=embedding_dim, units=(units,), dropout=0.0))


# ---------------------------------------------------------------------------
# perplexity (desde los logits)
# ---------------------------------------------------------------------------
def _flat(logits, targets, dtype=np.float64):
    """Lo que da el esqueleto: (N, V) y (N,); la conversión a float64 la escribe el estudiante."""
    z = np.asarray(logits)
    z = z.reshape(-1, z.shape[-1]).astype(dtype)
    y = np.asarray(targets).reshape(-1).astype(np.int64)
    return z, y


def _finish(log_p):
    if log_p.size == 0:
        raise ValueError("perplexity: no hay objetivos que cuenten")
    return float(np.exp(-np.mean(log_p)))


def softmax_without_shift(logits, targets):
    """Softmax sin restar el máximo: e^1000 = inf (nan) y e^-1000 = 0 (-inf)."""
    z, y = _flat(logits, targets)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        log_p = np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    return _finish(log_p[np.arange(len(y)), y][y != 0])


def log_of_softmax(logits, targets):
    """Softmax estable (resta el máximo) y después np.log: una probabilidad e^-800 se redondea a 0."""
    z, y = _flat(logits, targets)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    with np.errstate(divide="ignore"):
        log_p = np.log(e / e.sum(axis=1, keepdims=True))
    return _finish(log_p[np.arange(len(y)), y][y != 0])


def softmax_over_axis0(logits, targets):
    """Log-softmax sobre el eje 0 (entre objetivos) en lugar de sobre el vocabulario."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=0, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=0, keepdims=True))
    return _finish(log_sm[np.arange(len(y)), y][y != 0])


def gathers_column_minus_one(logits, targets):
    """Corrida en uno: toma la columna y - 1 («los ids empiezan en 1 porque 0 es <pad>»)."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return _finish(log_sm[np.arange(len(y)), y - 1][y != 0])


def gathers_column_plus_one(logits, targets):
    """Corrida en uno: toma la columna y + 1 (la del token siguiente)."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    cols = np.minimum(y + 1, z.shape[1] - 1)
    return _finish(log_sm[np.arange(len(y)), cols][y != 0])


def gathers_with_slice(logits, targets):
    """log_softmax[:, y]: una matriz N × N (cada fila en todas las columnas objetivo) y su media."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    keep = y != 0
    return _finish(log_sm[keep][:, y[keep]])


def includes_pad(logits, targets):
    """No excluye los objetivos <pad>: cuenta el relleno como texto."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return _finish(log_sm[np.arange(len(y)), y])


def pad_gets_probability_one(logits, targets):
    """Pone ln p = 0 en los <pad> (en lugar de sacarlos): siguen contando en N."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return _finish(np.where(y != 0, log_sm[np.arange(len(y)), y], 0.0))


def float32_log_softmax(logits, targets):
    """Calcula en float32 (la precisión de model.predict): con logits ≈ 1e5 pierde ≈ 0.004 por logit."""
    z, y = _flat(logits, targets, dtype=np.float32)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return _finish(log_sm[np.arange(len(y)), y][y != 0])


def mean_of_row_perplexities(logits, targets):
    """Con un lote (versos, posiciones, V): promedia la perplejidad de cada verso, no la de corpus."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets)
    if z.ndim == 2:
        z, y = z[None], y[None]
    z = z.reshape(-1, z.shape[-2], z.shape[-1])
    y = y.reshape(-1, y.shape[-1])
    pps = []
    for zz, yy in zip(z, y, strict=True):
        zz = zz - zz.max(axis=1, keepdims=True)
        log_sm = zz - np.log(np.exp(zz).sum(axis=1, keepdims=True))
        lp = log_sm[np.arange(len(yy)), yy][yy != 0]
        if lp.size:
            pps.append(np.exp(-np.mean(lp)))
    if not pps:
        raise ValueError("vacío")
    return float(np.mean(pps))


def cross_entropy_only(logits, targets):
    """Devuelve la entropía cruzada media (sin exponenciar)."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True)
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    log_p = log_sm[np.arange(len(y)), y][y != 0]
    if log_p.size == 0:
        raise ValueError("vacío")
    return float(-np.mean(log_p))


def no_empty_check(logits, targets):
    """Sin objetivos que cuenten devuelve nan (media de nada) en lugar de ValueError."""
    z, y = _flat(logits, targets)
    z = z - z.max(axis=1, keepdims=True) if z.size else z
    log_sm = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    log_p = log_sm[np.arange(len(y)), y][y != 0]
    return float(np.exp(-log_p.sum() / log_p.size)) if log_p.size else float("nan")


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
    "build_language_model": [no_mask, softmax_output, no_dense, rnn_as_output, return_sequences,
                             dense_of_units, swapped_sizes, rnn_without_bias, compiled_inside,
                             wraps_helpers_build_lm],
    "perplexity": [softmax_without_shift, log_of_softmax, softmax_over_axis0, gathers_column_minus_one,
                   gathers_column_plus_one, gathers_with_slice, includes_pad, pad_gets_probability_one,
                   float32_log_softmax, mean_of_row_perplexities, cross_entropy_only, no_empty_check],
    "next_word": [no_bos, right_padding, no_truncation, keeps_first_tokens, drops_unknown_words,
                  plain_argmax, bans_eos_too, pads_with_unk, returns_id, bos_after_truncation,
                  skeleton_truncates_words_then_bos],
}
