"""Language identification with langdetect, deterministic and on a bounded sample.

langdetect loads ~66 MB of profiles on first use (~260 ms), so it is imported lazily and
never on the start-up path. Without a fixed seed its answers vary between calls, and a
spawned worker process must set the seed again: :func:`detect_language` does it on every
first use in a process.
"""

from __future__ import annotations

import re
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
AGREEING_TRIALS = 3
#: ... each sure of its answer to at least this probability.
AGREEING_PROBABILITY = 0.99


def _early_stopping_detector(factory: Any) -> Any:
    """langdetect's detector that stops its random trials once the first ones agree.

    langdetect averages 7 trials, each a random walk over the text's n-grams. On a text in
    one language the first trials already agree with near-certainty and the other four only
    repeat them; on news that mixes languages they disagree, and then all 7 run as before.
    Same profiles, same n-grams, same random draws for the trials that run; the averaged
    probabilities are over the trials that ran. Accuracy is measured by
    ``bench/bench_import.py`` on real articles (README).
    """
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    class EarlyStoppingDetector(Detector):
        def _detect_block(self) -> None:
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            total = [0.0] * len(self.langlist)
            self.random.seed(self.seed)
            winners: set[int] = set()
            trials = 0
            for _trial in range(self.n_trial):
                prob = self._init_probability()
                alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                i = 0
                while True:
                    self._update_lang_prob(prob, self.random.choice(ngrams), alpha)
                    if i % 5 == 0 and (
                        self._normalize_prob(prob) > self.CONV_THRESHOLD
                        or i >= self.ITERATION_LIMIT
                    ):
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

    return EarlyStoppingDetector(factory)


def _detector_factory():
    """This process's own seeded factory; profiles are loaded on the first call only."""
    global _factory
    if _factory is None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(0)
        factory._create_detector = lambda: _early_stopping_detector(factory)
        _factory = factory
    return _factory


def detect_language(text: str) -> tuple[str, float]:
    """Return ``(code, confidence)``; ``("und", 0.0)`` when there is too little to go on."""
    sample = language_sample(text)
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
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
