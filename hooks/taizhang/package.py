"""Office files as the same bytes for the same content.

A .docx is a zip archive, and python-docx stamps every member with the wall clock: two runs a
second apart differ. Repacking with one fixed stamp makes the output a function of its content, so
a report regenerated for the same week is the same file.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from io import BytesIO

# The earliest stamp a zip member can hold; used when no moment is given.
EPOCH = datetime(1980, 1, 1)


def repack(data: bytes, moment: datetime = EPOCH) -> bytes:
    """The archive `data` with every member stamped `moment` (its wall-clock time: zip stores no
    time zone), members and their order kept."""
    stamp = max(moment.replace(tzinfo=None), EPOCH).timetuple()[:6]
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            target.writestr(info, source.read(member))
    return out.getvalue()
