"""Respuestas equivocadas plausibles para la lección 1 (celda de Elman y BPTT).

Cada función imita un error típico; su docstring dice cuál. Son autocontenidas
(solo NumPy): el arnés las pone en lugar de la solución del docente.
"""

from __future__ import annotations

import numpy as np

NOTEBOOK = "clase_rnn/01_celda_elman.ipynb"


# ------------------------------------------------------------------ elman_step

def step_transpuesta_W_hh(x_t, h_prev, W_hx, W_hh, b_h):
    """Usa W_hh transpuesta (convención de columnas mal traducida: h_prev @ W_hh.T)."""
    return np.tanh(x_t @ W_hx + h_prev @ W_hh.T + b_h)


def step_sin_sesgo(x_t, h_prev, W_hx, W_hh, b_h):
    """Se olvida del sesgo b_h."""
    return np.tanh(x_t @ W_hx + h_prev @ W_hh)


def step_relu(x_t, h_prev, W_hx, W_hh, b_h):
    """Usa ReLU en lugar de tanh."""
    return np.maximum(0.0, x_t @ W_hx + h_prev @ W_hh + b_h)


def step_sigmoide(x_t, h_prev, W_hx, W_hh, b_h):
    """Usa la sigmoide logística (la σ de la diapositiva) en lugar de tanh."""
    return 1.0 / (1.0 + np.exp(-(x_t @ W_hx + h_prev @ W_hh + b_h)))


def step_sin_activacion(x_t, h_prev, W_hx, W_hh, b_h):
    """Devuelve la preactivación, sin aplicar la no linealidad."""
    return x_t @ W_hx + h_prev @ W_hh + b_h


def step_sesgo_fuera(x_t, h_prev, W_hx, W_hh, b_h):
    """Suma el sesgo después de la tanh."""
    return np.tanh(x_t @ W_hx + h_prev @ W_hh) + b_h


def step_sin_estado(x_t, h_prev, W_hx, W_hh, b_h):
    """Ignora el estado anterior (una capa densa, sin recurrencia)."""
    return np.tanh(x_t @ W_hx + b_h)


# --------------------------------------------------------------- elman_forward

def _step(x_t, h, W_hx, W_hh, b_h):
    return np.tanh(x_t @ W_hx + h @ W_hh + b_h)


def forward_devuelve_h_T_menos_1(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Corrido un paso: el bucle recorre range(T - 1) y devuelve h_{T-1} (o h_1..h_{T-1})."""
    h, estados = h0, []
    for t in range(X.shape[1] - 1):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1) if estados else np.zeros((X.shape[0], 0, W_hh.shape[0]))
    return h


def forward_secuencia_incluye_h0(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """La secuencia guarda el estado antes de actualizarlo: devuelve h_0..h_{T-1}."""
    h, estados = h0, []
    for t in range(X.shape[1]):
        estados.append(h)
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
    if return_sequences:
        return np.stack(estados, axis=1)
    return h


def forward_secuencia_con_h0_extra(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Devuelve h_0..h_T (T + 1 estados) con return_sequences=True."""
    h, estados = h0, [h0]
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1)
    return h


def forward_ignora_h0(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Arranca siempre de ceros e ignora el h0 que recibe."""
    h, estados = np.zeros_like(h0), []
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1)
    return h


def forward_return_sequences_invertido(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Interpreta return_sequences al revés."""
    h, estados = h0, []
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if not return_sequences:
        return np.stack(estados, axis=1)
    return h


def forward_siempre_h0(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """No actualiza el estado: usa h0 como estado anterior en todos los pasos."""
    estados = [_step(X[:, t], h0, W_hx, W_hh, b_h) for t in range(X.shape[1])]
    if return_sequences:
        return np.stack(estados, axis=1)
    return estados[-1]


def forward_apila_eje_0(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Apila los estados en el eje 0: devuelve (T, lote, unidades)."""
    h, estados = h0, []
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=0)
    return h


def forward_transpuesta_W_hh(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Usa h @ W_hh.T en cada paso."""
    h, estados = h0, []
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh.T + b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1)
    return h


def forward_recorre_al_reves(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Recorre la secuencia del último paso al primero."""
    h, estados = h0, []
    for t in reversed(range(X.shape[1])):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1)
    return h


# -------------------------------------------------------------- bptt_gradients

def _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, *, solo_ultimo=False, sin_tanh=False,
          divisor=None, sin_acumular_W_hx=False, sin_primer_paso=False, derivada_h_prev=False,
          transpuesta=False, signo=1.0):
    """BPTT con un error opcional (el arnés usa las envolturas de abajo)."""
    lote, T, _ = X.shape
    h, H = h0, []
    for t in range(T):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
        H.append(h)
    y_hat = H[-1] @ W_hy + b_y
    d_y = signo * (y_hat - y) / (lote if divisor is None else divisor(lote, y))
    g = {"W_hy": H[-1].T @ d_y, "b_y": d_y.sum(axis=0), "W_hx": np.zeros_like(W_hx),
         "W_hh": np.zeros_like(W_hh), "b_h": np.zeros_like(b_h)}
    d_h = d_y @ W_hy.T
    pasos = [T - 1] if solo_ultimo else list(reversed(range(1 if sin_primer_paso else 0, T)))
    for t in pasos:
        h_prev = H[t - 1] if t > 0 else h0
        if sin_tanh:
            d_a = d_h
        elif derivada_h_prev:
            d_a = d_h * (1.0 - h_prev ** 2)
        else:
            d_a = d_h * (1.0 - H[t] ** 2)
        if sin_acumular_W_hx:
            g["W_hx"] = X[:, t].T @ d_a
        else:
            g["W_hx"] += X[:, t].T @ d_a
        g["W_hh"] += (d_a.T @ h_prev) if transpuesta else (h_prev.T @ d_a)
        g["b_h"] += d_a.sum(axis=0)
        d_h = d_a @ W_hh.T
    return g


def bptt_solo_ultimo_paso(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Sin retropropagación en el tiempo: solo la contribución del último paso."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, solo_ultimo=True)


def bptt_sin_derivada_tanh(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Se olvida de multiplicar por tanh'(a) = 1 - h_t**2."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, sin_tanh=True)


def bptt_derivada_con_h_prev(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Usa 1 - h_{t-1}**2 en lugar de 1 - h_t**2 como derivada de la tanh."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, derivada_h_prev=True)


def bptt_sin_dividir_por_lote(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """No divide la pérdida por el tamaño del lote."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, divisor=lambda lote, y: 1.0)


def bptt_divide_por_todo(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Divide por lote * salidas (la media de np.mean) en lugar de por el lote."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, divisor=lambda lote, y: y.size)


def bptt_W_hx_sin_acumular(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Pisa el gradiente de W_hx en cada paso (= en lugar de +=)."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, sin_acumular_W_hx=True)


def bptt_sin_primer_paso(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """El bucle hacia atrás termina en t = 2: falta la contribución del paso que usa h0."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, sin_primer_paso=True)


def bptt_W_hh_transpuesto(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Calcula el gradiente de W_hh transpuesto (d_a.T @ h_prev)."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, transpuesta=True)


def bptt_signo_cambiado(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Usa (y - y_hat) en lugar de (y_hat - y): todos los gradientes con el signo cambiado."""
    return _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y, signo=-1.0)


def bptt_claves_equivocadas(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Gradientes correctos con nombres de claves equivocados ("W_xh", "dW_hh", ...)."""
    g = _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y)
    return {"W_xh": g["W_hx"], "dW_hh": g["W_hh"], "b_h": g["b_h"], "W_hy": g["W_hy"],
            "b_y": g["b_y"]}


def bptt_devuelve_tupla(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Devuelve una tupla en el orden de los argumentos en lugar de un diccionario."""
    g = _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y)
    return g["W_hx"], g["W_hh"], g["b_h"], g["W_hy"], g["b_y"]


WRONG = {
    "elman_step": [
        step_transpuesta_W_hh,
        step_sin_sesgo,
        step_relu,
        step_sigmoide,
        step_sin_activacion,
        step_sesgo_fuera,
        step_sin_estado,
    ],
    "elman_forward": [
        forward_devuelve_h_T_menos_1,
        forward_secuencia_incluye_h0,
        forward_secuencia_con_h0_extra,
        forward_ignora_h0,
        forward_return_sequences_invertido,
        forward_siempre_h0,
        forward_apila_eje_0,
        forward_transpuesta_W_hh,
        forward_recorre_al_reves,
    ],
    "bptt_gradients": [
        bptt_solo_ultimo_paso,
        bptt_sin_derivada_tanh,
        bptt_derivada_con_h_prev,
        bptt_sin_dividir_por_lote,
        bptt_divide_por_todo,
        bptt_W_hx_sin_acumular,
        bptt_sin_primer_paso,
        bptt_W_hh_transpuesto,
        bptt_signo_cambiado,
        bptt_claves_equivocadas,
        bptt_devuelve_tupla,
    ],
}


# ------------------------------------------------- casos límite (T = 0, lote 1)

def step_squeeze(x_t, h_prev, W_hx, W_hh, b_h):
    """Aplica np.squeeze al resultado: con lote 1 (o una unidad) pierde un eje."""
    return np.squeeze(np.tanh(x_t @ W_hx + h_prev @ W_hh + b_h))


def forward_np_stack_sin_caso_vacio(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Apila con np.stack la lista de estados: con T = 0 la lista está vacía y np.stack falla."""
    h, estados = h0, []
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1)
    return h


def forward_ultimo_de_la_secuencia(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Devuelve H[:, -1] de la secuencia como último estado: con T = 0 no hay último paso."""
    lote, T, _ = X.shape
    H = np.zeros((lote, T, h0.shape[-1]))
    h = h0
    for t in range(T):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        H[:, t] = h
    return H if return_sequences else H[:, -1]


def forward_ceros_si_vacia(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Con T = 0 devuelve ceros en lugar de h0."""
    if X.shape[1] == 0 and not return_sequences:
        return np.zeros_like(h0)
    h, estados = h0, []
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    if return_sequences:
        return np.stack(estados, axis=1) if estados else np.zeros((X.shape[0], 0, h0.shape[-1]))
    return h


def bptt_squeeze(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Calcula dL/dy_hat con np.squeeze: con lote 1 o una sola salida pierde un eje."""
    lote, T, _ = X.shape
    g = _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y)
    h = h0
    for t in range(T):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
    d_y = np.squeeze(h @ W_hy + b_y - y) / lote
    g["W_hy"] = h.T @ d_y if d_y.ndim == 2 else np.outer(h.sum(axis=0), d_y)
    g["b_y"] = d_y.sum(axis=0) if d_y.ndim == 2 else np.atleast_1d(d_y.sum())
    return g


WRONG["elman_step"].append(step_squeeze)
WRONG["elman_forward"] += [forward_np_stack_sin_caso_vacio, forward_ultimo_de_la_secuencia,
                           forward_ceros_si_vacia]
WRONG["bptt_gradients"].append(bptt_squeeze)


# --------------------------------------------------------------- clip_gradients

def _norma_global(grads):
    return np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in grads.values()))


def clip_por_arreglo(grads, max_norm):
    """Recorta cada arreglo por su propia norma (como clipnorm de Keras), no por la norma global."""
    return {n: g * min(1.0, max_norm / max(np.linalg.norm(g), 1e-300)) for n, g in grads.items()}


def clip_sin_min(grads, max_norm):
    """Multiplica siempre por max_norm / norma, sin el min(1, ·): agranda los gradientes chicos."""
    norma = _norma_global(grads)
    return {n: g * (max_norm / norma) if norma > 0 else g.copy() for n, g in grads.items()}


def clip_norma_sin_raiz(grads, max_norm):
    """Usa la suma de los cuadrados (sin la raíz) como norma global."""
    cuadrados = sum(np.sum(g ** 2) for g in grads.values())
    return {n: g * (max_norm / max(cuadrados, max_norm)) for n, g in grads.items()}


def clip_por_valor(grads, max_norm):
    """Recorta cada valor al intervalo [-max_norm, max_norm] (np.clip) en lugar de la norma."""
    return {n: np.clip(g, -max_norm, max_norm) for n, g in grads.items()}


def clip_modifica_la_entrada(grads, max_norm):
    """Recorta en el lugar (g *= factor) y devuelve el mismo diccionario: modifica grads."""
    factor = max_norm / max(_norma_global(grads), max_norm)
    for g in grads.values():
        g *= factor
    return grads


def clip_divide_por_cero(grads, max_norm):
    """Divide por la norma sin cuidar el caso norma 0: con gradientes en cero devuelve NaN."""
    norma = _norma_global(grads)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {n: g / norma * min(norma, max_norm) for n, g in grads.items()}


def clip_norma_del_ultimo(grads, max_norm):
    """Calcula la norma dentro del bucle y usa la del último arreglo para todos."""
    salida = {}
    for g in grads.values():
        norma = np.linalg.norm(g)
    for n, g in grads.items():
        salida[n] = g * min(1.0, max_norm / max(norma, 1e-300))
    return salida


WRONG["clip_gradients"] = [
    clip_por_arreglo,
    clip_sin_min,
    clip_norma_sin_raiz,
    clip_por_valor,
    clip_modifica_la_entrada,
    clip_divide_por_cero,
    clip_norma_del_ultimo,
]


def forward_many_to_one_H_last(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Muchos a uno como H[:, -1] de una secuencia apilada con np.stack: con T = 0 falla."""
    estados, h = [], h0
    for t in range(X.shape[1]):
        h = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h)
    H = np.stack(estados, axis=1) if estados else np.zeros((X.shape[0], 0, np.shape(h0)[-1]))
    return H if return_sequences else H[:, -1]


def forward_modifica_h0(X, h0, W_hx, W_hh, b_h, return_sequences=False):
    """Actualiza el estado en el lugar (h[...] = ...) sobre h0: modifica el argumento."""
    h, estados = h0, []
    for t in range(X.shape[1]):
        h[...] = _step(X[:, t], h, W_hx, W_hh, b_h)
        estados.append(h.copy())
    if return_sequences:
        return np.stack(estados, axis=1) if estados else np.zeros((X.shape[0], 0, h0.shape[-1]))
    return h.copy()


def step_modifica_h_prev(x_t, h_prev, W_hx, W_hh, b_h):
    """Escribe el resultado sobre h_prev (np.tanh(..., out=h_prev)): modifica el argumento."""
    return np.tanh(x_t @ W_hx + h_prev @ W_hh + b_h, out=h_prev)


def bptt_modifica_W_hh(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):
    """Resta el gradiente a W_hh dentro de la función (un paso de SGD de más): modifica W_hh."""
    g = _bptt(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y)
    W_hh -= 0.1 * g["W_hh"]
    return g


WRONG["elman_step"].append(step_modifica_h_prev)
WRONG["elman_forward"] += [forward_many_to_one_H_last, forward_modifica_h0]
WRONG["bptt_gradients"].append(bptt_modifica_W_hh)


# ------------------------------------------- bptt_many_to_many (opcional, sin puntos)

def _m2m(X, H, h0, W_hh, dH, *, pisa=False, despues_de_tanh=False, corrido=False,
         sin_primer_paso=False, modifica=False):
    """BPTT de una pasada con un error opcional (el arnés usa las envolturas de abajo)."""
    grads = {"W_hx": np.zeros((X.shape[2], W_hh.shape[0])), "W_hh": np.zeros_like(W_hh),
             "b_h": np.zeros(W_hh.shape[0])}
    d_h = np.zeros_like(h0)
    fin = 0 if sin_primer_paso else -1
    for t in range(X.shape[1] - 1, fin, -1):
        h_prev = H[:, t - 1] if t > 0 else h0
        if modifica:
            d_salida = dH[:, t]
            d_salida += d_h  # suma en el lugar sobre una vista de dH
            d_h = d_salida
        elif pisa:
            d_h = dH[:, t]
        elif not (despues_de_tanh or corrido):
            d_h = d_h + dH[:, t]
        d_a = d_h * (1.0 - H[:, t] ** 2)
        if despues_de_tanh:
            d_a = d_a + dH[:, t]
        grads["W_hx"] += X[:, t].T @ d_a
        grads["W_hh"] += h_prev.T @ d_a
        grads["b_h"] += d_a.sum(axis=0)
        d_h = d_a @ W_hh.T
        if corrido:
            d_h = d_h + dH[:, t]
    return grads


def m2m_pisa_el_error(X, H, h0, W_hh, dH):
    """d_h = dH[:, t] en lugar de sumarlo: pierde el error que vuelve desde h_{t+1}."""
    return _m2m(X, H, h0, W_hh, dH, pisa=True)


def m2m_suma_despues_de_tanh(X, H, h0, W_hh, dH):
    """Suma el error de la salida después de atravesar la tanh (a dL/dA_t y no a dL/dh_t)."""
    return _m2m(X, H, h0, W_hh, dH, despues_de_tanh=True)


def m2m_corrido_un_paso(X, H, h0, W_hh, dH):
    """Suma dH[:, t] después de pasar el error a h_{t-1}: cada error entra un paso tarde."""
    return _m2m(X, H, h0, W_hh, dH, corrido=True)


def m2m_sin_primer_paso(X, H, h0, W_hh, dH):
    """El bucle hacia atrás termina antes de t = 1: falta el paso que usa h0."""
    return _m2m(X, H, h0, W_hh, dH, sin_primer_paso=True)


def m2m_modifica_dH(X, H, h0, W_hh, dH):
    """Acumula el error en el lugar sobre dH[:, t] (una vista): modifica dH."""
    return _m2m(X, H, h0, W_hh, dH, modifica=True)


WRONG["bptt_many_to_many"] = [m2m_pisa_el_error, m2m_suma_despues_de_tanh, m2m_corrido_un_paso,
                              m2m_sin_primer_paso, m2m_modifica_dH]
