"""How every file of the project is written, and the checks on where it goes (standard library only;
here because both halves import frames).

- Every output is written under `<name>.partial` and renamed into place, so a reader never sees half
  a file; a `.partial` file is one a write did not finish (a kill, a full disk), never read. Two
  processes writing one output at once: the second is refused.
- An output folder is tested with a real write of a scratch file before any work, not with
  permission bits (root passes those anywhere, even under /proc).
- A working folder (a run, a sweep) is locked while one process works in it: a second one is
  refused, told which process holds the folder. The lock is released when its holder exits,
  however it exits (kill -9 included).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from frames.errors import GrokError, OutputError

PARTIAL = ".partial"
LOCK_NAME = "grok.lock"


def partial_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + PARTIAL)


def open_own_file(path: Path, flags: int) -> int:
    """A descriptor on a file of grok's own naming (a partial file, a lock), created if missing. Never through a
    symbolic link (a link there would make grok write over what it points to) and never a pipe or a device
    (an open could wait, a write go astray): such a thing there is refused, naming it."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.EWOULDBLOCK):
            raise OutputError(f"{path} is not a file grok wrote (a link, a pipe or a folder); move it away") from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise OutputError(f"{path} is not a file grok wrote (a pipe or a device); move it away")
    if info.st_nlink > 1:  # a hard link: writing here would write into the file's other names too
        os.close(fd)
        raise OutputError(f"{path} is not a file grok wrote (it has other names: a hard link); move it away")
    os.set_blocking(fd, True)
    return fd


@contextmanager
def atomic_output(path: Path):
    """Yield a binary file open on `path`'s partial name; on success rename it to `path`, on any
    failure delete it. The partial file is locked while it is written: a second process writing the
    same output at the same moment is refused rather than interleaved."""
    path = Path(path)
    partial = partial_path(path)
    with open(open_own_file(partial, os.O_WRONLY), "wb") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError(f"another process is writing {path} right now; wait for it to end") from None
        try:
            f.truncate(0)
            yield f
            f.flush()
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise


def atomic_write_text(text: str, path: Path) -> None:
    with atomic_output(path) as f:
        f.write(text.encode())


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe(error: OSError) -> str:
    """'No space left on device' rather than '[Errno 28] ...'."""
    return error.strerror or str(error)


def real_path(path: Path) -> Path:
    """The path with every symbolic link followed (Path.resolve); a loop of links is refused in one line."""
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError):  # RuntimeError up to Python 3.12, OSError (ELOOP) after
        raise GrokError(f"{path} is a loop of symbolic links") from None


def check_writable_folder(folder: Path, what: str) -> Path:
    """Create and delete a scratch file in `folder` (or, if it does not exist yet, in the nearest
    folder above it that does); raise OutputError naming `what` if that fails."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write {what}: {folder} is a file, not a folder")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {what}: {existing} is a file, not a folder")
    scratch = existing / f".grok-write-test-{os.getpid()}{PARTIAL}"
    try:
        with open(scratch, "wb") as f:
            f.write(b"grok")
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise OutputError(f"cannot write {what}: a test write in {existing} failed ({describe(e)})") from None
    finally:
        try:
            scratch.unlink()
        except OSError:
            pass
    return folder


def check_writable_file(path: Path, what: str) -> Path:
    """The output file's folder must take a real write (it is made, with its parents, when missing); the path
    must be a new or a regular file (renaming over a device or a pipe would replace it)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"cannot write {what}: {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise OutputError(f"cannot write {what}: {path} exists and is not a regular file (a device, a pipe, ...)")
    if path.parent.exists() and not path.parent.is_dir():
        raise OutputError(f"cannot write {what} {path}: {path.parent} is a file, not a folder")
    partial = partial_path(path)
    if partial.is_symlink() or (partial.exists() and not partial.is_file()):
        raise OutputError(
            f"cannot write {what}: {partial} is not a file grok wrote (a link, a pipe or a folder); move it away"
        )
    check_writable_folder(path.parent, f"{what} {path}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot write {what} {path}: cannot make {path.parent} ({describe(e)})") from None
    return path


_held: dict[Path, int] = {}  # folders this process has locked, and how deep (locks nest in one process)


@contextmanager
def locked_folder(folder: Path):
    """Create `folder` if needed and hold its lock (LOCK_NAME inside it) for the block."""
    folder = real_path(folder)
    if folder in _held:
        _held[folder] += 1
        try:
            yield folder
        finally:
            _held[folder] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = open_own_file(folder / LOCK_NAME, os.O_RDWR)
    except OSError as e:
        raise OutputError(f"cannot use folder {folder}: {describe(e)}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        holder = os.pread(fd, 500, 0).decode(errors="replace").strip() or "an unknown process"
        os.close(fd)
        if e.errno not in (errno.EAGAIN, errno.EACCES):
            raise OutputError(f"cannot lock folder {folder}: {describe(e)}") from None
        raise OutputError(
            f"{folder} is in use by another grok process ({holder}); wait for it to end, or use another folder"
        ) from None
    os.ftruncate(fd, 0)
    command = " ".join(["grok", *sys.argv[1:]])
    command = command if len(command) <= 80 else command[:77] + "..."
    os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M')}: {command}\n".encode(), 0)
    _held[folder] = 1
    try:
        yield folder
    finally:
        del _held[folder]
        os.close(fd)  # releases the lock


def lock_holder(folder: Path) -> str | None:
    """Who holds `folder`'s lock, or None if nobody does (a look that takes no lock for long)."""
    path = Path(folder) / LOCK_NAME
    if not path.is_file() or path.is_symlink() or real_path(folder) in _held:
        return None
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except OSError:
        return os.pread(fd, 500, 0).decode(errors="replace").strip() or "an unknown process"
    finally:
        os.close(fd)


def partial_files(folder: Path) -> list[Path]:
    """Files under `folder` that a write did not finish."""
    return sorted(Path(folder).rglob(f"*{PARTIAL}"))


def strict_json(text: str):
    """JSON as a file from outside must be: a key given twice (which value counts?) and NaN or Infinity (not JSON)
    raise ValueError, like any other malformed text."""

    def once(pairs):
        keys = [key for key, _ in pairs]
        repeated = next((key for n, key in enumerate(keys) if key in keys[:n]), None)
        if repeated is not None:
            raise ValueError(f"the key {repeated!r} is given twice")
        return dict(pairs)

    def not_json(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, object_pairs_hook=once, parse_constant=not_json)


MAX_JSON_BYTES = 64 * 1024 * 1024  # a config or a sweep's plan is kilobytes; refuse what could only be a mistake


def read_json(path: Path, what: str):
    """A JSON file from outside, read as untrusted: a regular file (a FIFO would block, a device never end),
    of bounded size, nested to a bounded depth (Python's parser recurses); GrokError in one line otherwise."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as e:
        raise GrokError(f"cannot read {path} ({describe(e)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise GrokError(f"{path} is not a regular file (a folder, a pipe or a device); the {what} must be a file")
    if info.st_size > MAX_JSON_BYTES:
        raise GrokError(f"{path} is {info.st_size / 1e6:.0f} MB, far beyond any {what}")
    try:
        return strict_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise GrokError(f"{path} is not a readable {what} ({type(e).__name__})") from None
