"""Files uploaded for an import (inventory, map, a room's notes): kept privately while the
person looks at the preview, then read and removed.

The file waits under settings.UPLOAD_DIR, readable by the server's user only, named by an
unguessable token that the session remembers; the session also says what it is for, so a token
cannot be replayed into another workspace or import."""

import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from opencities.private import private_folder

UPLOAD_LIFETIME = timedelta(hours=24)


def remove_stale_uploads(folder: Path) -> None:
    """Uploads waiting for a confirmation that never came may hold personal data: a day is
    long enough to look at a preview."""
    cutoff = (timezone.now() - UPLOAD_LIFETIME).timestamp()
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep_upload(request, session_key: str, upload: UploadedFile, **facts) -> str:
    """Write the upload to a new owner-only file, note it (with `facts`, such as the workspace
    it is for) in the session under `session_key`, and return its token."""
    token = str(uuid.uuid4())
    folder = private_folder(Path(settings.UPLOAD_DIR))
    remove_stale_uploads(folder)
    path = folder / f"{token}{Path(upload.name).suffix.lower()}"
    with open(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    pending = request.session.get(session_key, {})
    pending[token] = {"path": str(path), "filename": upload.name, **facts}
    request.session[session_key] = pending
    return token
