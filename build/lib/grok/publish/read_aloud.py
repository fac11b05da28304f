"""A narration line as a person would read it aloud: the text the voice is given.

The lines are written for the eye ("1,400 epochs", "10⁻⁶", "41/113 of a circle", "a + b"); a
text-to-speech voice reads such text badly (piper says "10^7" as "ten seven", "1e-3" as "one e
three", and the variable a as the article "uh"). Here every number, symbol and abbreviation
becomes words, so nothing is left for the voice to guess:

    read_aloud("By epoch 1,400 it gets 99 % right, to 10⁻⁶.")
    -> "By epoch one thousand four hundred it gets ninety-nine percent right, to ten to the minus six."

Readings are American (the voice is en_US): "one hundred thirteen", no "and".
"""

from __future__ import annotations

import re

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")

# espeak-ng inside piper reads "a" and "A" as the article ("uh") and "ay" as "eye"; "eh" comes out
# as the letter's name, "ay" as in "day".
LETTER_A = "eh"
# Words that follow the variable a and never the article a ("a + b", "a alone", "as a runs").
AFTER_VARIABLE_A = r"[,.;:!?)+=−×/]|$|(?:plus|minus|times|over|alone|and|or|to|runs|sits|equals|is|mod)\b"

# Whole words read out in full; matched case-sensitively, in this order.
ABBREVIATIONS = (
    ("e.g.", "for example"),
    ("i.e.", "that is"),
    ("et al.", "and colleagues"),
    ("etc.", "et cetera"),
    ("vs.", "versus"),
    ("Fig.", "figure"),
    ("approx.", "about"),
    ("cos", "cosine"),
    ("sin", "sine"),
    ("tan", "tangent"),
    ("ReLU", "rel-you"),
)
SYMBOLS = (
    ("+", " plus "),
    ("=", " equals "),
    ("×", " times "),
    ("·", " times "),
    ("−", " minus "),
    ("±", " plus or minus "),
    ("π", " pi "),
    ("≈", " about "),
    ("~", " about "),
    ("≤", " at most "),
    ("≥", " at least "),
    ("<", " less than "),
    (">", " more than "),
    ("&", " and "),
    ("%", " percent "),
    ("°", " degrees "),
    ("/", " over "),
    ("_", " "),
    ("—", ", "),
    ("–", ", "),
    ("’", "'"),
    ("\u00a0", " "),
)

NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"  # 12,769 or 12769
DECIMAL = rf"(?:{NUMBER})(?:\.\d+)?"


def number_words(n: int) -> str:
    """12769 -> 'twelve thousand seven hundred sixty-nine'."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    size, name = next((size, name) for size, name in SCALES if n >= size)
    head, rest = divmod(n, size)
    return f"{number_words(head)} {name}" + ("" if rest == 0 else " " + number_words(rest))


def power_words(exponent: str) -> str:
    """'-6' -> 'minus six', '63' -> 'sixty-three'."""
    return number_words(int(exponent))


def ordinal_words(n: int) -> str:
    """113 -> 'one hundred thirteenth', 21 -> 'twenty-first', 20 -> 'twentieth'."""
    words = number_words(n)
    head, last = re.match(r"(.*?)([a-z]+)$", words).groups()
    if last in ORDINAL_WORDS:
        return head + ORDINAL_WORDS[last]
    return head + (last[:-1] + "ieth" if last.endswith("y") else last + "th")


def year_words(n: int) -> str:
    """2025 -> 'twenty twenty-five', 1900 -> 'nineteen hundred', 2005 -> 'two thousand five'."""
    century, rest = divmod(n, 100)
    if 2000 <= n < 2010:
        return number_words(n)
    if rest == 0:
        return f"{number_words(century)} hundred"
    return f"{number_words(century)} {'oh ' + ONES[rest] if rest < 10 else number_words(rest)}"


def decimal_words(text: str) -> str:
    """'12,769' -> 'twelve thousand ...'; '0.03' -> 'zero point zero three'. A four-digit number
    written without a comma between 1100 and 2099 is a year (counts are written with commas)."""
    whole, _, fraction = text.replace(",", "").partition(".")
    if not fraction and "," not in text and len(whole) == 4 and 1100 <= int(whole) < 2100:
        return year_words(int(whole))
    words = number_words(int(whole))
    return words + (" point " + " ".join(ONES[int(digit)] for digit in fraction) if fraction else "")


def read_aloud(line: str) -> str:
    """The line with every number, symbol and abbreviation written as words (see the module doc)."""
    text = line
    # the variable a, before the symbols after it become words
    text = re.sub(rf"(?<![\w'-])a(?![\w'-])(?=\s*(?:{AFTER_VARIABLE_A}))|(?<=\d )a\b", LETTER_A, text)
    for short, words in ABBREVIATIONS:
        text = re.sub(rf"(?<!\w){re.escape(short)}" + ("" if short.endswith(".") else r"(?!\w)"), words, text)
    # powers: 10⁻⁶, 2⁶³, 10^-7 -> "ten to the minus six"; 1.7e-7 -> "one point seven times ten to the minus seven"
    text = re.sub(
        rf"({DECIMAL}|\b[A-Za-z])(?:\^([-+]?\d+)|([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))",
        lambda m: f"{m[1]} to the {power_words(m[2] or m[3].translate(SUPERSCRIPTS))}",
        text,
    )
    text = re.sub(
        rf"(?<![\w.])({DECIMAL})e([-+]?\d+)\b", lambda m: f"{m[1]} times ten to the {power_words(m[2])}", text
    )
    # ordinals (113th) and signed numbers (−0.11 at the start of a number is "minus")
    text = re.sub(rf"(?<![\w.])({NUMBER})(st|nd|rd|th)\b", lambda m: ordinal_words(int(m[1].replace(",", ""))), text)
    text = re.sub(r"(?:(?<=\s)|^)[-−](?=\d)", "minus ", text)
    text = re.sub(rf"(?<![A-Za-z0-9_.]){DECIMAL}(?![A-Za-z0-9_])", lambda m: f" {decimal_words(m[0])} ", text)
    for symbol, words in SYMBOLS:
        text = text.replace(symbol, words)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" (?=[,.;:!?)])", "", text).replace("( ", "(").strip()
    return re.sub(r"(^|[.!?] )([a-z])", lambda m: m[1] + m[2].upper(), text)  # "6 components ..." starts a sentence
