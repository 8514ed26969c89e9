"""Language identification with langdetect, deterministic and on a bounded sample.

langdetect loads ~66 MB of profiles on first use (~260 ms), so it is imported lazily and
never on the start-up path. Without a fixed seed its answers vary between calls, and a
spawned worker process must set the seed again: :func:`detect_language` does it on every
first use in a process.
"""

from __future__ import annotations

import operator
import re
from itertools import repeat
from typing import Any

from core.models import UNDETERMINED

#: Characters looked at. langdetect costs ~1.3 ms on 100 characters and 5–9 ms on 3,000.
SAMPLE_CHARS = 600
#: Below this many letters a guess is noise; the article is marked undetermined.
MIN_LETTERS = 12

_URL = re.compile(r"https?://\S+|www\.\S+")
_factory = None


def language_sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """A sample that represents the body: URLs dropped, taken from the start of the text.

    Boilerplate gathers at the end of scraped pages and the opening paragraphs are body, so
    the first ``limit`` characters (cut at a word boundary) are the best cheap sample.
    """
    cleaned = _URL.sub(" ", text[: limit * 2])
    if len(cleaned) <= limit:
        return cleaned
    cut = cleaned.rfind(" ", 0, limit)
    return cleaned[: cut if cut > limit // 2 else limit]


#: Trials that must agree before the rest are skipped (langdetect runs 7 on every text).
#: Two, not three: on the 1,118 labelled texts of ``../shared/data`` (articles, tweets,
#: sentences) the answers were the same but one (which two trials got right), and it cuts
#: ~24 % of the CPU on news (docs/measurements.md).
AGREEING_TRIALS = 2
#: ... each sure of its answer to at least this probability.
AGREEING_PROBABILITY = 0.99


def _early_stopping_detector_class(factory: Any) -> type:
    """langdetect's detector class that stops its random trials once the first ones agree.

    langdetect averages 7 trials, each a random walk over the text's n-grams. On a text in
    one language the first trials already agree with near-certainty and the other four only
    repeat them; on news that mixes languages they disagree, and then all 7 run as before.
    Same profiles, same n-grams, same random draws for the trials that run; the averaged
    probabilities are over the trials that ran. Accuracy is measured by
    ``bench/bench_import.py`` on real articles (README).

    The n-grams and the probability updates are langdetect's, computed faster (see
    :func:`_ngrams` and the trial loop); ``tests/core/test_langid.py`` checks that the
    n-gram list and every answer equal langdetect's own code's.
    """
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.utils.ngram import NGram

    wordmap = factory.word_lang_prob_map

    class EarlyStoppingDetector(Detector):
        text: str  # langdetect's attribute, untyped there

        def append(self, text: str) -> None:
            # langdetect's append, with its character loop (which keeps one space of each
            # run of spaces) done by a regex.
            text = self.URL_RE.sub(" ", text)
            text = self.MAIL_RE.sub(" ", text)
            text = NGram.normalize_vi(text)
            self.text += _SPACES.sub(" ", text[: self.max_text_length])

        def cleaning_text(self) -> None:
            # langdetect's cleaning_text without its character loop: letters A-z counted
            # against characters from U+0300 on (its test for the Latin Extended Additional
            # block compares a block number with a name, so it never holds), and the A-z
            # removed when the others are more than twice as many, which cannot be when
            # A-z make a third of the text or more (the usual case, decided in one pass).
            text = self.text
            latin = len(text) - len(text.translate(_DROP_LATIN))
            if latin * 3 >= len(text):
                return
            if latin * 2 < len(_NON_LATIN.findall(text)):
                self.text = text.translate(_DROP_LATIN)

        def _extract_ngrams(self) -> list[str]:
            return _ngrams(self.text, wordmap)

        def _detect_block(self) -> None:
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            total = [0.0] * len(self.langlist)
            rnd = self.random
            rnd.seed(self.seed)
            # random.choice(ngrams) is ngrams[rnd._randbelow(len(ngrams))], and _randbelow
            # draws getrandbits(count.bit_length()) until one is below count: the same
            # draws, two Python calls fewer per update (~50 updates a trial). The test
            # against langdetect's own loop, which calls random.choice, would catch a
            # Python whose random draws otherwise.
            getrandbits, count = rnd.getrandbits, len(ngrams)
            bits = count.bit_length()
            add, mul, div = operator.add, operator.mul, operator.truediv
            winners: set[int] = set()
            trials = 0
            for _trial in range(self.n_trial):
                prob = self._init_probability()
                alpha = self.alpha + rnd.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                # langdetect's _update_lang_prob and _normalize_prob, element for element
                # the same floating-point operations, in C-level maps.
                weight = repeat(alpha / self.BASE_FREQ)
                i = 0
                while True:
                    drawn = getrandbits(bits)
                    while drawn >= count:
                        drawn = getrandbits(bits)
                    prob = list(map(mul, prob, map(add, weight, wordmap[ngrams[drawn]])))
                    if i % 5 == 0:
                        prob = list(map(div, prob, repeat(sum(prob))))
                        if max(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                            break
                    i += 1
                trials += 1
                for j, p in enumerate(prob):
                    total[j] += p
                best = max(range(len(prob)), key=prob.__getitem__)
                winners.add(best if prob[best] >= AGREEING_PROBABILITY else -1)
                if trials >= AGREEING_TRIALS and winners == {best} and best >= 0:
                    break
            self.langprob = [p / trials for p in total]

    return EarlyStoppingDetector


_SPACES = re.compile(" {2,}")
_DROP_LATIN = dict.fromkeys(range(ord("A"), ord("z") + 1))
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")
#: Character -> langdetect's normalised character (``NGram.normalize``), filled as met.
_NORMAL: dict[int, str] = {}
#: (word, followed by a space) -> its n-grams that have a profile entry, in order.
_WORD_NGRAMS: dict[tuple[str, bool], tuple[str, ...]] = {}
_WORD_CACHE_LIMIT = 200_000


class _Normaliser(dict):
    """``str.translate`` table that asks langdetect for each character once."""

    def __missing__(self, code: int) -> str:
        from langdetect.utils.ngram import NGram

        value = self[code] = NGram.normalize(chr(code))
        return value


_TABLE = _Normaliser()


def _ngrams(text: str, wordmap: dict[str, Any]) -> list[str]:
    """langdetect's ``Detector._extract_ngrams``, word by word instead of character by
    character.

    langdetect feeds each normalised character to a 3-character buffer that restarts after
    a space, and after each character takes the 1-, 2- and 3-grams ending there (not while
    the word so far has two capitals in a row; never the lone space). So a word's n-grams
    depend on the word alone and on whether a space follows it (the last word of the text
    has no closing n-grams): they are computed once per word and reused. The order is
    langdetect's, which matters: its trials draw n-grams from this list at random.
    """
    words = text.translate(_TABLE).split(" ")
    last = len(words) - 1
    cache = _WORD_NGRAMS
    if len(cache) > _WORD_CACHE_LIMIT:
        cache.clear()
    out: list[str] = []
    for index, word in enumerate(words):
        if not word:
            continue
        key = (word, index < last)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _word_ngrams(word, index < last, wordmap)
        out.extend(found)
    return out


def _word_ngrams(word: str, spaced: bool, wordmap: dict[str, Any]) -> tuple[str, ...]:
    s = " " + word + (" " if spaced else "")
    out: list[str] = []
    capital = False
    for i in range(1, len(s)):
        ch = s[i]
        if ch == " ":
            capital = False
        elif ch.isupper():
            if i >= 2 and s[i - 1].isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        for n in (1, 2, 3):
            if n > i + 1:
                break
            w = s[i - n + 1 : i + 1]
            if w != " " and w in wordmap:
                out.append(w)
    return tuple(out)


def _detector_factory():
    """This process's own seeded factory; profiles are loaded on the first call only."""
    global _factory
    if _factory is None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(0)
        detector = _early_stopping_detector_class(factory)  # made once: ~10 us a class
        factory._create_detector = lambda: detector(factory)
        _factory = factory
    return _factory


def detect_language(text: str) -> tuple[str, float]:
    """Return ``(code, confidence)``; ``("und", 0.0)`` when there is too little to go on."""
    sample = language_sample(text)
    if sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(sample)
    try:
        best = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED, 0.0
    if not best:
        return UNDETERMINED, 0.0
    top = best[0]
    return _normalise_code(top.lang), round(float(top.prob), 4)


def _normalise_code(code: str) -> str:
    """langdetect says ``zh-cn``/``zh-tw``; keep the ISO 639-1 part as the language."""
    return code.split("-")[0]


def detect_many(samples: list[tuple[int, str]]) -> list[tuple[int, str, float]]:
    """Detect a batch of ``(id, text)``; the unit of work sent to worker processes."""
    return [(key, *detect_language(text)) for key, text in samples]
