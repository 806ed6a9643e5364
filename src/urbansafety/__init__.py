"""urbansafety: local safety diagnostics for cities and boroughs."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from urbansafety.errors import ConfigError, DataQualityError, InputError, UrbanSafetyError

try:
    __version__ = version("urbansafety")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["ConfigError", "DataQualityError", "InputError", "UrbanSafetyError", "__version__"]
