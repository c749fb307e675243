"""What a process keeps for its whole life (the models, the lexicons, the catalogue's
vocabulary), left out of the garbage collector's full passes."""

import gc


def keep_out_of_full_collections() -> None:
    """Leave every object alive now out of the collector's passes (gc.freeze). A full pass walks
    every container object the process holds: with the models, WordNet and a catalogue's
    vocabulary loaded, about half a million, 270 to 350 ms in which none of the process's
    searches answers, every dozen or so searches. What is garbage now is collected first
    (frozen, a cycle would never be); frozen objects are still freed as usual once nothing
    refers to them (a vocabulary replaced: it holds no cycles). Meant for moments when a
    process has just loaded what it keeps: a web worker's warm-up, a new vocabulary taken up."""
    gc.collect()
    gc.freeze()
