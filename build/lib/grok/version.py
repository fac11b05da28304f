"""This project's name and version, from its package metadata: stamped on published videos and pages."""

from __future__ import annotations

from importlib import metadata

PACKAGE = "grokking-studio"


def get_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"
