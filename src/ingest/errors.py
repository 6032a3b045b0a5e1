"""Errors that name what went wrong, where, and what the user can do."""

from __future__ import annotations

from collections.abc import Iterable


class IngestError(Exception):
    """A dump that cannot become documents.

    ``reason`` is a short snake_case code (counted in summaries); the message is a sentence
    for the user.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class RulesError(ValueError):
    """A rules file that cannot be used: raised before any dump is touched."""


class UsageError(ValueError):
    """The command itself is wrong (overlapping folders, say): exit 2, nothing touched."""


def too_large(size: int, limit: int) -> IngestError:
    """The refusal of a file over ``settings.max_file_bytes``, naming the setting to raise."""
    return IngestError(
        "too_large",
        f"the file is {size:,} bytes, over the limit of {limit:,}; raise "
        "settings.max_file_bytes in a rules file (--rules) to accept it",
    )


def check_size(size: int, limit: int) -> None:
    """Refuse a file over ``settings.max_file_bytes`` (:func:`too_large`), whatever its kind.

    >>> check_size(10, 10)
    """
    if size > limit:
        raise too_large(size, limit)


def no_story(rules: Iterable[str], spans: int | None = None, where: str = "") -> IngestError:
    """The refusal of a file (or record, ``where``) of which only chrome and residue were left;
    ``rules`` removed it all (``spans`` spans, when counted).

    >>> no_story(["byline", "hashtags_heading", "byline"], 3).message[-54:]
    'removed (3 spans removed by: byline, hashtags_heading)'
    """
    names = ", ".join(sorted(set(rules))) or "none"
    removed = "spans removed by" if spans is None else f"{spans} spans removed by"
    return IngestError(
        "no_story",
        f"{where}no story text is left once page chrome and residue are removed "
        f"({removed}: {names})",
    )


class OutputError(Exception):
    """The output folder itself cannot be written (full disk, read-only file system, DST
    names a file): no dump can succeed, so the run stops (exit 3) instead of recording
    every dump as failed. The message says what happened and what to do."""


# errno values that say the output folder as a whole is unusable, not one dump's path.
OUTPUT_ERRNOS = frozenset({28, 30, 122})  # ENOSPC, EROFS, EDQUOT


def output_error(exc: OSError, where: object) -> OutputError:
    """The :class:`OutputError` for an ``OSError`` met while writing under ``where``.

    >>> str(output_error(OSError(28, "No space left on device"), "cleaned"))  # doctest: +ELLIPSIS
    'cannot write to the output folder cleaned: No space left on device; free space...'
    """
    return OutputError(
        f"cannot write to the output folder {where}: {exc.strerror or exc}; free space (or fix "
        "the folder) and run again: what was written is kept and the run resumes"
    )


def shown_path(path: str) -> str:
    r"""A path as messages print it: control characters (a newline, an ANSI escape) and the
    bytes of a name that is not UTF-8 as backslash escapes, so a file name can neither
    break a message into fake lines nor colour the terminal.

    >>> shown_path("a\n\x1b[31mb.txt"), shown_path("caf\udce9.txt"), shown_path("café.txt")
    ('a\\n\\x1b[31mb.txt', 'caf\\udce9.txt', 'café.txt')
    """
    if path.isprintable():
        return path
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in path
    )


# Exceptions of the object-store clients that say the store cannot be reached at all
# (botocore's, aiohttp's): by name, so that neither has to be imported to recognise them.
_UNREACHABLE = frozenset(
    {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ConnectionClosedError",
        "ClientConnectorError",
        "ServerTimeoutError",
    }
)


def unreachable_store(exc: BaseException) -> OutputError | None:
    """An :class:`OutputError` naming this machine when ``exc`` says the object store cannot
    be reached (a worker started without the endpoint, say); None for any other error.

    Every dump would fail the same way, so the run stops with one message that says which
    machine could not reach which endpoint, and what to set there.

    >>> class EndpointConnectionError(Exception): ...
    >>> str(unreachable_store(EndpointConnectionError('Could not connect to "http://x:9"')))[:33]
    'the object store cannot be reache'
    >>> unreachable_store(ValueError("x")) is None
    True
    """
    if not any(cls.__name__ in _UNREACHABLE for cls in type(exc).__mro__):
        return None
    import os
    import socket

    endpoint = os.environ.get("FSSPEC_S3_ENDPOINT_URL")
    where = f"FSSPEC_S3_ENDPOINT_URL={endpoint}" if endpoint else "no FSSPEC_S3_ENDPOINT_URL set"
    return OutputError(
        f"the object store cannot be reached from host {socket.gethostname()} (pid "
        f"{os.getpid()}, {where}): {exc}. {_SET_IT}"
    )


_SET_IT = (
    "Set the storage endpoint and credentials on that machine (FSSPEC_S3_ENDPOINT_URL or "
    "~/.config/fsspec/s3.json, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; docs/scale-out.md, "
    "section 3) and run again: what was written is kept"
)

# botocore's exceptions for credentials it cannot find or build, by name.
_NO_CREDENTIALS = frozenset({"NoCredentialsError", "PartialCredentialsError"})
# S3 error codes that refuse the credentials themselves (not one object's permissions): every
# request of this machine gets the same answer.
_BAD_CREDENTIALS = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"}
)


def credentials_seen(env: dict[str, str] | None = None) -> str:
    """Which AWS credentials this machine offers, as a message names them (never a value).

    >>> credentials_seen({"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SHARED_CREDENTIALS_FILE": "/none"})
    'AWS_ACCESS_KEY_ID set, no AWS_SECRET_ACCESS_KEY, no credentials file /none'
    """
    import os

    env = dict(os.environ) if env is None else env
    said = [
        f"{name} set" if env.get(name) else f"no {name}"
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    ]
    if env.get("AWS_PROFILE"):
        said.append(f"AWS_PROFILE={env['AWS_PROFILE']}")
    shared = env.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.expanduser("~/.aws/credentials")
    said.append(
        f"credentials file {shared}" if os.path.isfile(shared) else f"no credentials file {shared}"
    )
    return ", ".join(said)


def _error_code(exc: BaseException) -> str | None:
    """The S3 error code of ``exc`` or of the botocore error it was translated from."""
    seen: BaseException | None = exc
    while seen is not None:
        response = getattr(seen, "response", None)
        if isinstance(response, dict):
            code = response.get("Error", {}).get("Code")
            return str(code) if code else None
        seen = seen.__cause__
    return None


def missing_credentials(exc: BaseException) -> OutputError | None:
    """An :class:`OutputError` naming this machine and the credentials it has when ``exc``
    says it has none the object store takes (a Dask worker started without the keys, say);
    None for any other error.

    >>> class NoCredentialsError(Exception): ...
    >>> str(missing_credentials(NoCredentialsError("Unable to locate credentials")))[:40]
    'no credentials for the object store on h'
    >>> missing_credentials(PermissionError("Access Denied")) is None
    True
    """
    import os
    import socket

    code = _error_code(exc)
    if code in _BAD_CREDENTIALS:
        what = "the object store refused the credentials of"
    elif any(cls.__name__ in _NO_CREDENTIALS for cls in type(exc).__mro__):
        what = "no credentials for the object store on"
    else:
        return None
    return OutputError(
        f"{what} host {socket.gethostname()} (pid {os.getpid()}: {credentials_seen()}): "
        f"{type(exc).__name__}: {exc}. {_SET_IT}"
    )


def store_problem(exc: BaseException) -> OutputError | None:
    """The run-stopping :class:`OutputError` for an error that every dump of this machine
    would meet (the object store unreachable, or no usable credentials), naming the host;
    None for an error of one dump."""
    return unreachable_store(exc) or missing_credentials(exc)
