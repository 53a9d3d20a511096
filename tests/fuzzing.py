"""Mutations of valid files for the fuzzers: bytes, lines and number tokens changed.

Shared by the fuzzers of the environment readers (tests/io/test_fuzz_files.py) and of the
batch, distribution and policy readers (tests/parallel/test_fuzz_batch.py).
"""

import re

from hypothesis import strategies as st

#: A number token of any of the formats.
NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


@st.composite
def byte_mutations(draw, texts):
    """One of `texts` as UTF-8 bytes with 1 to 4 bytes replaced, inserted or deleted."""
    text = draw(st.sampled_from(texts)).encode()
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = bytes([draw(st.integers(0, 255))])
        if action == "replace":
            text = text[:position] + byte + text[position + 1 :]
        elif action == "insert":
            text = text[:position] + byte + text[position:]
        else:
            text = text[:position] + text[position + 1 :]
    return text


@st.composite
def line_mutations(draw, texts):
    """One of `texts` with 1 to 3 lines deleted, duplicated, swapped or truncated."""
    lines = draw(st.sampled_from(texts)).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate"]))
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(j, lines[i])
        elif action == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
    return "\n".join(lines)


@st.composite
def number_mutations(draw, texts, tokens):
    """One of `texts` with 1 to 3 number tokens replaced by one of `tokens`."""
    text = draw(st.sampled_from(texts))
    spans = [m.span() for m in re.finditer(NUMBER, text)]
    for _ in range(draw(st.integers(1, 3))):
        if not spans:
            break
        start, stop = draw(st.sampled_from(spans))
        text = text[:start] + draw(st.sampled_from(tokens)) + text[stop:]
        spans = [m.span() for m in re.finditer(NUMBER, text)]
    return text
