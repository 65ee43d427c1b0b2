"""Respuestas equivocadas plausibles de la lección 05 (greedy y beam search)."""

import math

from helpers.decoding import table_next_log_probs

NOTEBOOK = "clase_rnn/05_beam_search.ipynb"


# ----------------------------------------------------------------- greedy_search
def greedy_multiplica_logs(next_log_probs, prefix, steps):
    """Multiplica las log-probabilidades en lugar de sumarlas."""
    seq, total = tuple(prefix), 1.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(op, key=op.get)
        total *= op[tok]
        seq += (tok,)
    return seq, total


def greedy_devuelve_probabilidad(next_log_probs, prefix, steps):
    """Devuelve la probabilidad (exp) de la secuencia en lugar de su logaritmo."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(op, key=op.get)
        total += op[tok]
        seq += (tok,)
    return seq, math.exp(total)


def greedy_argmin(next_log_probs, prefix, steps):
    """Elige el token menos probable."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = min(op, key=op.get)
        total += op[tok]
        seq += (tok,)
    return seq, total


def greedy_sin_prefijo(next_log_probs, prefix, steps):
    """Devuelve solo los tokens agregados, sin el prefijo."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(op, key=op.get)
        total += op[tok]
        seq += (tok,)
    return seq[len(prefix):], total


def greedy_un_paso_de_mas(next_log_probs, prefix, steps):
    """Hace steps + 1 pasos."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps + 1):
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(op, key=op.get)
        total += op[tok]
        seq += (tok,)
    return seq, total


def greedy_no_termina(next_log_probs, prefix, steps):
    """No contempla el diccionario vacío: max() de un diccionario vacío falla."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        op = next_log_probs(seq)
        tok = max(op, key=op.get)
        total += op[tok]
        seq += (tok,)
    return seq, total


def greedy_empate_ultimo(next_log_probs, prefix, steps):
    """En un empate se queda con el último del diccionario (orden ascendente estable)."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = sorted(op, key=op.get)[-1]
        total += op[tok]
        seq += (tok,)
    return seq, total


def greedy_empate_alfabetico(next_log_probs, prefix, steps):
    """En un empate gana el token menor en orden alfabético, no el primero del diccionario."""
    seq, total = tuple(prefix), 0.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(sorted(op), key=op.get)
        total += op[tok]
        seq += (tok,)
    return seq, total


def greedy_al_menos_un_paso(next_log_probs, prefix, steps):
    """Pregunta por los pasos al final del bucle: con steps = 0 igual agrega un token."""
    seq, total, pasos = tuple(prefix), 0.0, 0
    while True:
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(op, key=op.get)
        total += op[tok]
        seq += (tok,)
        pasos += 1
        if pasos >= steps:
            break
    return seq, total


# ------------------------------------------------------------------- beam_search
def _beam(next_log_probs, prefix, steps, beam_width, alpha=0.0, *, combine=None,
          per_parent=False, copies=False, drop_finished=False, prune_raw=False,
          count_prefix=False, order="desc", probs_out=False, tie_reverse=False):
    """Beam search parametrizada para fabricar errores."""
    prefix = tuple(prefix)

    def puntaje(seq, lp):
        n = len(seq) if count_prefix else len(seq) - len(prefix)
        return lp / max(n, 1) ** alpha

    haces = [(prefix, 0.0)] * (beam_width if copies else 1)
    for _ in range(steps):
        cands = []
        for seq, lp in haces:
            op = next_log_probs(seq)
            if not op:
                if not drop_finished:
                    cands.append((seq, lp))
                continue
            hijos = [(seq + (t,), combine(lp, l) if combine else lp + l) for t, l in op.items()]
            if per_parent:
                hijos.sort(key=lambda c: puntaje(*c), reverse=True)
                hijos = hijos[:1] if len(haces) > 1 else hijos
            cands += hijos
        key = (lambda c: c[1]) if prune_raw else (lambda c: puntaje(*c))
        if tie_reverse:
            cands = sorted(cands, key=key)[::-1]
        else:
            cands.sort(key=key, reverse=True)
        haces = cands[:beam_width]
    out = [(s, lp, puntaje(s, lp)) for s, lp in haces]
    out.sort(key=lambda c: c[2], reverse=(order == "desc"))
    if probs_out:
        out = [(s, math.exp(lp), sc) for s, lp, sc in out]
    return out


def beam_cero_pasos_vacio(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Arma la salida dentro del bucle: con 0 pasos devuelve [] en lugar del prefijo."""
    prefix = tuple(prefix)

    def puntaje(seq, lp):
        return lp / max(len(seq) - len(prefix), 1) ** alpha

    haces, salida = [(prefix, 0.0)], []
    for _ in range(steps):
        cands = []
        for seq, lp in haces:
            op = next_log_probs(seq)
            if not op:
                cands.append((seq, lp))
            cands += [(seq + (t,), lp + l) for t, l in op.items()]
        cands.sort(key=lambda c: puntaje(*c), reverse=True)
        haces = cands[:beam_width]
        salida = [(s, lp, puntaje(s, lp)) for s, lp in haces]
    return salida


def beam_largo_sin_minimo(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Divide por L**alpha sin el mínimo de 1: con 0 tokens agregados y alpha > 0 divide por cero."""
    prefix = tuple(prefix)

    def puntaje(seq, lp):
        return lp / (len(seq) - len(prefix)) ** alpha

    haces = [(prefix, 0.0)]
    for _ in range(steps):
        cands = []
        for seq, lp in haces:
            op = next_log_probs(seq)
            if not op:
                cands.append((seq, lp))
            cands += [(seq + (t,), lp + l) for t, l in op.items()]
        cands.sort(key=lambda c: puntaje(*c), reverse=True)
        haces = cands[:beam_width]
    return [(s, lp, puntaje(s, lp)) for s, lp in haces]


def beam_por_padre(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Poda por haz: cada haz sigue solo con su mejor hijo (k greedy en paralelo)."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, per_parent=True)


def beam_multiplica_logs(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Multiplica log-probabilidades en lugar de sumarlas."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha,
                 combine=lambda a, b: (a if a != 0 else 1.0) * b)


def beam_copias_iniciales(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Empieza con beam_width copias del prefijo: devuelve haces repetidos."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, copies=True)


def beam_descarta_terminados(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Tira los haces que terminaron en lugar de dejarlos competir."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, drop_finished=True)


def beam_normaliza_solo_al_final(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Poda con la log-probabilidad cruda y normaliza por largo solo para ordenar al final."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, prune_raw=True)


def beam_largo_con_prefijo(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Cuenta el prefijo en el largo L de la normalización."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, count_prefix=True)


def beam_orden_ascendente(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Devuelve los haces de peor a mejor."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, order="asc")


def beam_devuelve_probabilidades(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Devuelve probabilidades en lugar de log-probabilidades."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, probs_out=True)


def beam_empates_al_reves(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Ordena ascendente y da vuelta la lista: los empates quedan en orden inverso."""
    return _beam(next_log_probs, prefix, steps, beam_width, alpha, tie_reverse=True)


def beam_ignora_alpha(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Ignora alpha: nunca normaliza por largo."""
    return _beam(next_log_probs, prefix, steps, beam_width, 0.0)


# Multiplicar probabilidades (y tomar el logaritmo al final) anda en tablas chicas
# pero el producto se vuelve 0 en secuencias largas (underflow).
def greedy_multiplica_probabilidades(next_log_probs, prefix, steps):
    """Multiplica probabilidades y toma el log al final: underflow en secuencias largas."""
    seq, prob = tuple(prefix), 1.0
    for _ in range(steps):
        op = next_log_probs(seq)
        if not op:
            break
        tok = max(op, key=op.get)
        prob *= math.exp(op[tok])
        seq += (tok,)
    return seq, math.log(prob) if prob > 0 else -math.inf


def beam_multiplica_probabilidades(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Trabaja con probabilidades multiplicadas: underflow en secuencias largas."""
    prefix = tuple(prefix)
    haces = [(prefix, 1.0)]
    for _ in range(steps):
        cands = []
        for seq, p in haces:
            op = next_log_probs(seq)
            if not op:
                cands.append((seq, p))
            for t, lp in op.items():
                cands.append((seq + (t,), p * math.exp(lp)))

        def puntaje(c):
            lp = math.log(c[1]) if c[1] > 0 else -math.inf
            return lp / max(len(c[0]) - len(prefix), 1) ** alpha

        cands.sort(key=puntaje, reverse=True)
        haces = cands[:beam_width]
    out = []
    for seq, p in haces:
        lp = math.log(p) if p > 0 else -math.inf
        out.append((seq, lp, lp / max(len(seq) - len(prefix), 1) ** alpha))
    return out


# Errores en lo que completa el estudiante (el esqueleto trae el haz inicial, el
# bucle, los haces terminados y la salida).
def _skeleton_beam(next_log_probs, prefix, steps, beam_width, alpha=0.0, *, extend, prune):
    """El esqueleto de la lección con las dos piezas del bucle dadas como funciones."""
    prefix = tuple(prefix)

    def puntaje(seq, log_prob):
        return log_prob / max(len(seq) - len(prefix), 1) ** alpha

    haces = [(prefix, 0.0)]
    for _ in range(steps):
        candidatos = []
        for seq, log_prob in haces:
            opciones = next_log_probs(seq)
            if not opciones:
                candidatos.append((seq, log_prob))
                continue
            candidatos += extend(seq, log_prob, opciones)
        haces = prune(candidatos, puntaje, beam_width)
    return [(seq, log_prob, puntaje(seq, log_prob)) for seq, log_prob in haces]


def _extend_ok(seq, log_prob, opciones):
    return [(seq + (t,), log_prob + lp) for t, lp in opciones.items()]


def _prune_ok(candidatos, puntaje, beam_width):
    return sorted(candidatos, key=lambda c: puntaje(*c), reverse=True)[:beam_width]


def skeleton_sin_acumular(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Con el esqueleto: cada continuación lleva solo la log-prob de su último token, sin acumular."""
    return _skeleton_beam(next_log_probs, prefix, steps, beam_width, alpha,
                          extend=lambda seq, lp, op: [(seq + (t,), l) for t, l in op.items()],
                          prune=_prune_ok)


def skeleton_poda_sin_ordenar(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Con el esqueleto: se queda con los primeros beam_width candidatos en el orden generado."""
    return _skeleton_beam(next_log_probs, prefix, steps, beam_width, alpha,
                          extend=_extend_ok, prune=lambda c, puntaje, k: c[:k])


def skeleton_poda_por_ultimo_token(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Con el esqueleto: ordena por la log-prob del último paso (la diferencia con el padre), no por el puntaje."""
    ultimo = {}

    def extend(seq, lp, op):
        hijos = [(seq + (t,), lp + l) for t, l in op.items()]
        ultimo.update({h[0]: l for h, l in zip(hijos, op.values())})
        return hijos

    return _skeleton_beam(next_log_probs, prefix, steps, beam_width, alpha, extend=extend,
                          prune=lambda c, puntaje, k: sorted(
                              c, key=lambda x: ultimo.get(x[0], 0.0), reverse=True)[:k])


def skeleton_empates_por_secuencia(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Con el esqueleto: ordena por (puntaje, secuencia); los empates se rompen por la
    secuencia, no por el orden en que se generaron los candidatos."""
    return _skeleton_beam(next_log_probs, prefix, steps, beam_width, alpha, extend=_extend_ok,
                          prune=lambda c, puntaje, k: sorted(
                              c, key=lambda x: (puntaje(*x), x[0]), reverse=True)[:k])


def skeleton_agrega_el_padre(next_log_probs, prefix, steps, beam_width, alpha=0.0):
    """Con el esqueleto: además de las continuaciones, vuelve a agregar el haz sin extender."""
    return _skeleton_beam(next_log_probs, prefix, steps, beam_width, alpha,
                          extend=lambda seq, lp, op: [(seq, lp)] + _extend_ok(seq, lp, op),
                          prune=_prune_ok)


# ---------------------------------------------------------- beam_loses_to_greedy
_CONTRA = {
    (): {"a": 0.5, "b": 0.4, "c": 0.1},
    ("a",): {"x": 0.34, "y": 0.33, "z": 0.33},
    ("b",): {"x": 0.5, "y": 0.5},
    ("c",): {"x": 1.0},
    ("b", "x"): {t: 0.25 for t in "0123"},
    ("b", "y"): {t: 0.25 for t in "0123"},
    ("a", "x"): {"fin": 1.0},
}


def contra_arbol_de_la_diapositiva():
    """El árbol (completo) de la diapositiva: ahí beam search le gana a greedy."""
    tabla = {
        (): {"dog": 0.4, "nice": 0.5, "car": 0.1},
        ("dog",): {"and": 0.05, "runs": 0.05, "has": 0.9},
        ("nice",): {"woman": 0.4, "house": 0.3, "guy": 0.3},
        ("car",): {"is": 0.3, "drives": 0.5, "turns": 0.2},
    }
    return table_next_log_probs(tabla)


def contra_en_probabilidades():
    """El contraejemplo correcto, pero con probabilidades en lugar de log-probabilidades."""
    def f(prefix):
        return dict(_CONTRA.get(tuple(prefix), {}))
    return f


def contra_dos_pasos():
    """Una tabla de 2 niveles: con 2 pasos beam search nunca pierde contra greedy."""
    return table_next_log_probs({
        (): {"a": 0.5, "b": 0.4, "c": 0.1},
        ("a",): {"x": 0.34, "y": 0.33, "z": 0.33},
        ("b",): {"x": 0.5, "y": 0.5},
    })


def contra_sin_normalizar():
    """Pierde solo porque las distribuciones no suman 1 (pesos inventados)."""
    return table_next_log_probs({
        (): {"a": 0.5, "b": 0.4},
        ("a",): {"x": 0.3},
        ("b",): {"x": 0.45, "y": 0.45},
        ("b", "x"): {"0": 0.05},
        ("b", "y"): {"0": 0.05},
        ("a", "x"): {"fin": 1.0},
    })


def contra_para_ancho_3():
    """Un contraejemplo para ancho 3, no para ancho 2 (con ancho 2 beam encuentra lo de greedy)."""
    diez = {t: 0.1 for t in "0123456789"}
    return table_next_log_probs({
        (): {"a": 0.4, "b": 0.35, "c": 0.25},
        ("a",): {"x": 0.3, "y": 0.25, "z": 0.25, "w": 0.2},
        ("b",): {"x": 0.4, "y": 0.3, "z": 0.3},
        ("c",): {"x": 0.5, "y": 0.5},
        ("b", "x"): diez, ("c", "x"): diez, ("c", "y"): diez,
        ("a", "x"): {"fin": 1.0},
    })


WRONG = {
    "greedy_search": [
        greedy_multiplica_logs,
        greedy_devuelve_probabilidad,
        greedy_argmin,
        greedy_sin_prefijo,
        greedy_un_paso_de_mas,
        greedy_no_termina,
        greedy_empate_ultimo,
        greedy_multiplica_probabilidades,
        greedy_al_menos_un_paso,
        greedy_empate_alfabetico,
    ],
    "beam_search": [
        beam_por_padre,
        beam_multiplica_logs,
        beam_copias_iniciales,
        beam_descarta_terminados,
        beam_normaliza_solo_al_final,
        beam_largo_con_prefijo,
        beam_orden_ascendente,
        beam_devuelve_probabilidades,
        beam_empates_al_reves,
        beam_ignora_alpha,
        beam_multiplica_probabilidades,
        beam_cero_pasos_vacio,
        beam_largo_sin_minimo,
        skeleton_sin_acumular,
        skeleton_poda_sin_ordenar,
        skeleton_poda_por_ultimo_token,
        skeleton_agrega_el_padre,
        skeleton_empates_por_secuencia,
    ],
    "beam_loses_to_greedy": [
        contra_arbol_de_la_diapositiva,
        contra_en_probabilidades,
        contra_dos_pasos,
        contra_sin_normalizar,
        contra_para_ancho_3,
    ],
}

