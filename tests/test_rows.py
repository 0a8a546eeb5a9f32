"""Bulk rows made in Python (rows.py) and the fast path of record-text escaping."""

from __future__ import annotations

import pytest

from taizhang.text import _INLINE, inline

SPECIAL = sorted(map(chr, _INLINE))


@pytest.mark.parametrize("char", SPECIAL)
def test_inline_escapes_each_special_character_wherever_it_stands(char: str) -> None:
    # inline() skips translate() for text without any of them: the check must see every one.
    plain = "截至11月29日，已完成整改"
    for text in (char, plain + char, char + plain, plain[:4] + char + plain[4:]):
        assert inline(text) == text.translate(_INLINE) != text


def test_inline_keeps_plain_text_and_reads_any_value() -> None:
    assert inline("已完成整改（第一阶段）“回头看”") == "已完成整改（第一阶段）“回头看”"
    assert inline(None) == "" and inline(2023) == "2023"
