"""Writing outputs safely: the output-folder rule and atomic writes.

Every file powerseek writes (environments, figures, reports, batch results,
counterexamples) goes through here: the folder must exist (powerseek creates the
file or folder you name, never the folders above it), and the text is written
to a temporary file beside the target and moved into place.
"""

from __future__ import annotations

import errno
import os
import secrets
import sys
from pathlib import Path

from ..exceptions import InvalidParameterError

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on Python 3.10 only
    pass


__all__ = ["check_output_folder", "write_bytes_atomic", "write_text_atomic"]


def check_output_folder(path: str | os.PathLike) -> Path:
    """`path` as a Path if the folder it goes in exists, else a clear error.

    The one rule for every output (environment files, figures, reports, sweep
    folders, counterexamples): powerseek creates the file or folder you name,
    never the folders above it, so a mistyped path fails at once and leaves
    nothing behind.

    Parameters
    ----------
    path : str or os.PathLike
        The file about to be written.

    Returns
    -------
    Path

    Examples
    --------
    >>> check_output_folder("no/such/folder/out.json")
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: cannot write 'no/such/folder/out.json': the folder
    'no/such/folder' does not exist (powerseek creates the file or folder you name, ...).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InvalidParameterError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} {what} (powerseek creates "
            "the file or folder you name, not the folders above it)."
        )
    return path


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to a temporary file beside `path`, then move it into place.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    text : str
        The text to write.

    Returns
    -------
    Path
    """
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then move it into place.

    The file gets the mode a plain ``open(path, "w")`` would give (0644 under
    umask 022), not the private 0600 of a temporary file. An error names
    `path`, never the temporary file, and leaves `path` as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : bytes
        The bytes to write.

    Returns
    -------
    Path
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = _create_beside(path, directory)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    return path


def _create_beside(path: Path, directory: Path) -> tuple[int, Path]:
    """A new temporary file next to `path`, opened for writing.

    Created with mode 0666 so that the kernel applies the umask, as for a plain
    ``open(path, "w")`` (``tempfile.mkstemp`` would make it 0600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))
