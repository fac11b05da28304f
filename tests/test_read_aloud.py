"""The narration as the voice is given it: every number, symbol and abbreviation in words, tested
on the lines the scenes actually say (each scene's script over the reference run and the two tiny
runs), and on the readings a person would give."""

import re
from pathlib import Path

import pytest
from test_narration import get_scripts

from frames import load_frames
from grok.publish.read_aloud import LETTER_A, number_words, ordinal_words, read_aloud, year_words

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "nanda.npz"
# What may reach the voice: words and the punctuation that only paces them. A digit, %, ^, /, +, =,
# a superscript or π would be read letter by letter, skipped or misread.
SPEAKABLE = re.compile(r"[A-Za-z ,.;:!?'()\-]+")


@pytest.fixture(scope="module")
def lines(grokked_frames, tiny_frames):
    said = {}
    for name, path in (("reference", REFERENCE), ("grokked", grokked_frames), ("ungrokked", tiny_frames)):
        said.update({f"{name}:{beat}": line for beat, line in get_scripts(load_frames(path)).items()})
    return said


def test_every_line_the_scenes_say_reads_as_words(lines):
    unspeakable = {beat: read_aloud(line) for beat, line in lines.items() if not SPEAKABLE.fullmatch(read_aloud(line))}
    assert not unspeakable, unspeakable
    assert len(lines) > 100


def test_every_whole_number_in_the_lines_is_said(lines):
    for beat, line in lines.items():
        spoken = read_aloud(line).lower()
        for figure in re.findall(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\d,]|\.\d)", line):
            n = int(figure.replace(",", ""))
            readings = (number_words(n), ordinal_words(n), year_words(n))
            assert any(re.search(rf"\b{reading}\b", spoken) for reading in readings), (beat, figure, spoken)


def test_the_variable_a_is_said_as_a_letter_and_the_article_is_not(lines):
    spoken = read_aloud(lines["reference:clock.step"])
    assert spoken.startswith(f"Number {LETTER_A} sits") and f"from {LETTER_A} to {LETTER_A} plus one" in spoken
    assert "of a circle" in spoken
    assert read_aloud(lines["reference:surface.why"]).endswith("runs level: a ridge.")
    assert f"the cosine of {LETTER_A} plus b" in read_aloud(lines["reference:identity.identity"])


@pytest.mark.parametrize(
    "written, said",
    [
        ("1,400 epochs", "One thousand four hundred epochs"),
        ("epoch 12,034", "Epoch twelve thousand thirty-four"),
        ("to 10⁻⁷, in 2,448 epochs", "To ten to the minus seven, in two thousand four hundred forty-eight epochs"),
        ("10^-3 and 2⁶³ − 1", "Ten to the minus three and two to the sixty-three minus one"),
        ("a loss of 1.7e-7", "A loss of one point seven times ten to the minus seven"),
        ("88 % of them, under 0.1 %", "Eighty-eight percent of them, under zero point one percent"),
        ("weighted minus 0.11, cosine 0.996", "Weighted minus zero point one one, cosine zero point nine nine six"),
        ("−0.5 and -2", "Minus zero point five and minus two"),
        ("41/113 of a circle", "Forty-one over one hundred thirteen of a circle"),
        ("less one 113th, the 21st, the 20th", "Less one one hundred thirteenth, the twenty-first, the twentieth"),
        ("angle 2π times 41 a over 113", f"Angle two pi times forty-one {LETTER_A} over one hundred thirteen"),
        ("a + b = 113", f"{LETTER_A.capitalize()} plus b equals one hundred thirteen"),
        ("3 × 4 · 5 ≈ 60", "Three times four times five about sixty"),
        ("cos of a times sin of b", f"Cosine of {LETTER_A} times sine of b"),
        ("the ReLU, e.g. in the MLP, i.e. here", "The rel-you, for example in the MLP, that is here"),
        ("Gurnee et al. (2025)", "Gurnee and colleagues (twenty twenty-five)"),
        ("Claude 3.5 Haiku", "Claude three point five Haiku"),
        ("by about 1.9 degrees. 6 components", "By about one point nine degrees. Six components"),
        ("an a-wave and a b-wave", "An a-wave and a b-wave"),
        ("the numbers from 0 to 112", "The numbers from zero to one hundred twelve"),
    ],
)
def test_readings(written, said):
    assert read_aloud(written) == said


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"),
        (13, "thirteen"),
        (20, "twenty"),
        (54, "fifty-four"),
        (100, "one hundred"),
        (101, "one hundred one"),
        (113, "one hundred thirteen"),
        (1000, "one thousand"),
        (12769, "twelve thousand seven hundred sixty-nine"),
        (25000, "twenty-five thousand"),
        (1_000_001, "one million one"),
        (-7, "minus seven"),
        (10**12, "one trillion"),
    ],
)
def test_number_words(n, words):
    assert number_words(n) == words
