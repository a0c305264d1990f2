"""Files only the toolkit's own user may read: the data folder, keys and passwords in it."""

import os
import secrets
from pathlib import Path


def private_folder(path: Path) -> Path:
    """Create `path` readable by its owner only (an existing folder is left as it is)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def kept_secret(path: Path, nbytes: int = 32) -> str:
    """The secret stored at `path`, generated on first use.

    The file is created owner-only and exclusively, so it is never readable by others, and two
    processes starting at once agree on one secret instead of each writing its own.
    """
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as stream:
        stream.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()
