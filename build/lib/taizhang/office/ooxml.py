"""Office files as the same bytes for the same content.

A .docx or .xlsx is a zip archive, and python-docx and openpyxl stamp every member with the wall
clock (openpyxl its document properties too): two runs a second apart differ. Repacking with one
fixed stamp makes the output a function of its content, so a report regenerated for the same
week, or a workbook for the same day, is the same file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from io import BytesIO

# The earliest stamp a zip member can hold; used when no moment is given.
EPOCH = datetime(1980, 1, 1)


def repack(data: bytes, moment: datetime = EPOCH, edits: Mapping[str, Callable[[bytes], bytes]] = {}) -> bytes:
    """The archive `data` with every member stamped `moment` (its wall-clock time: zip stores no
    time zone), members and their order kept; a member named in `edits` rewritten by its function."""
    stamp = max(moment.replace(tzinfo=None), EPOCH).timetuple()[:6]
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            content = source.read(member)
            edit = edits.get(member.filename)
            target.writestr(info, edit(content) if edit else content)
    return out.getvalue()
