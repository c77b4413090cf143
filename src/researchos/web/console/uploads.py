"""Saving an uploaded file to disk in chunks, refusing it once it passes a size limit."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile

from researchos.errors import InputError

CHUNK = 1 << 20


async def save_upload(upload: UploadFile, target: Path, *, limit: int, field: str) -> Path:
    written = 0
    with target.open("wb") as sink:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                shown = f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"
                raise InputError(
                    f"the upload is larger than {shown}",
                    field=field,
                    fix="use a smaller file",
                )
            sink.write(chunk)
    return target


def chosen(upload: UploadFile | str | None) -> UploadFile | None:
    """The upload, or None when the form's file field was left empty."""
    if isinstance(upload, str) or upload is None or not upload.filename:
        return None
    return upload
