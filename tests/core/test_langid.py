"""Language identification: right on real-looking news, deterministic, `und` when unsure."""

from __future__ import annotations

import pytest

from core.langid import detect_language, language_sample

SAMPLES = {
    "id": "Ratusan tentara dilaporkan tewas selama pertempuran di wilayah perbatasan, kata "
    "pejabat senior yang berbicara dengan syarat anonim kepada wartawan pada hari Rabu.",
    "en": "Hundreds of soldiers were reported killed during fighting in the border region, a "
    "senior official said on Wednesday, speaking on condition of anonymity.",
    "de": "Hunderte Soldaten sollen bei den Kämpfen im Grenzgebiet getötet worden sein, sagte "
    "ein hoher Beamter am Mittwoch, der anonym bleiben wollte.",
    "es": "Cientos de soldados murieron durante los combates en la región fronteriza, dijo el "
    "miércoles un alto funcionario que habló bajo condición de anonimato.",
    "fr": "Des centaines de soldats ont été tués lors des combats dans la région frontalière, a "
    "déclaré mercredi un haut responsable sous couvert d'anonymat.",
    "ar": "قال مسؤول كبير يوم الأربعاء إن مئات الجنود قتلوا خلال القتال في المنطقة الحدودية "
    "وتحدث المسؤول شريطة عدم الكشف عن هويته.",
    "ja": "国境地帯での戦闘で数百人の兵士が死亡したと、匿名を条件に政府高官が水曜日に語った。"
    "関係者によると、被害はさらに拡大する可能性がある。",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_news_sentences_are_identified(lang: str) -> None:
    code, confidence = detect_language(SAMPLES[lang])
    assert code == lang
    assert 0.5 < confidence <= 1.0


def test_detection_is_deterministic() -> None:
    text = "Bahasa Melayu dan bahasa Indonesia sangat mirip satu sama lain dalam banyak hal."
    assert len({detect_language(text) for _ in range(5)}) == 1


@pytest.mark.parametrize("text", ["", "12345", "😀😀😀", "https://example.com/a/b", "ok"])
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_sample_is_bounded_and_cut_at_a_word() -> None:
    sample = language_sample("kata " * 1000)
    assert 300 < len(sample) <= 600
    assert not sample.endswith("kat")


def test_the_early_stopping_detector_agrees_with_langdetect_on_single_language_texts() -> None:
    from langdetect import DetectorFactory, detect

    from core.langid import detect_language, language_sample

    texts = {
        "id": "Pemerintah daerah mengatakan bahwa harga beras di pasar naik sejak awal bulan, "
        "dan warga desa meminta bantuan dari menteri untuk menurunkan harga kebutuhan pokok.",
        "en": "The government said on Wednesday that the price of rice in the city market had "
        "risen since the start of the month, and villagers asked the minister for help.",
        "de": "Die Regierung sagte am Mittwoch, dass der Preis für Reis auf dem Markt der Stadt "
        "seit Anfang des Monats gestiegen sei, und die Dorfbewohner baten um Hilfe.",
        "es": "El gobierno dijo el miércoles que el precio del arroz en el mercado de la ciudad "
        "había subido desde el comienzo del mes, y los vecinos pidieron ayuda al ministro.",
    }
    for lang, text in texts.items():
        DetectorFactory.seed = 0
        assert detect_language(text)[0] == lang == detect(language_sample(text))


def _reference_detector(factory):  # langdetect's own n-grams and updates, early stopping kept
    from langdetect.detector import Detector

    from core.langid import AGREEING_PROBABILITY, AGREEING_TRIALS

    class Reference(Detector):
        def _detect_block(self) -> None:
            self.cleaning_text()
            ngrams = self._extract_ngrams()
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

    return Reference(factory)


HARD_TEXTS = [
    *SAMPLES.values(),
    "JAKARTA, Kabar Harian - Presiden RI mengatakan NASA dan BMKG bekerja sama. The minister "
    "said the  flood   hit 437,3 persen of homes 📈 pada Rabu (12/3). Email: a.b@c.example "
    "https://example.com/x?y=1 www.example.org",
    "Ini baris pertama\r\nThe second line\r\nBaris ketiga dengan 𠀀𠀁 CJK Extension B\r\n",
    "שלום עולם, זהו טקסט בעברית עם מילים באנגלית like this one. مرحبا بالعالم",
    "Tiếng Việt có dấu: Hà Nội là thủ đô của Việt Nam, thành phố đông dân.",
    "ABC DEF GHI jkl MNo pQR sTU a b c d e f Ǆ ǅ ǆ İstanbul ß",
    "東京で_会議が`開かれた`と[報告]された。首相は^記者団に語った。" * 3 + "Tokyo news ok",
    "ends without a space",
    "ends with spaces   ",
    "Kata " * 3000 + "akhir",
]


@pytest.mark.parametrize("index", range(len(HARD_TEXTS)))
def test_faster_ngrams_and_trials_give_langdetects_own_answers(index: int) -> None:
    """The fast path computes langdetect's n-grams and trials: same list, same floats."""
    from core.langid import _detector_factory

    factory = _detector_factory()
    text = HARD_TEXTS[index]
    fast, reference = factory.create(), _reference_detector(factory)
    fast.append(text)
    reference.append(text)
    assert fast.text == reference.text
    fast.cleaning_text()
    reference.cleaning_text()
    assert fast.text == reference.text
    assert fast._extract_ngrams() == reference._extract_ngrams()
    fast, reference = factory.create(), _reference_detector(factory)
    fast.append(text)
    reference.append(text)
    ranked = [(x.lang, x.prob) for x in fast.get_probabilities()]
    assert ranked == [(x.lang, x.prob) for x in reference.get_probabilities()]
    assert fast.langprob == reference.langprob
