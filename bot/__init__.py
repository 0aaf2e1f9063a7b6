"""supervision-bot: wiring (CLI, chat adapters, scheduler)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("supervision-bot")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"
