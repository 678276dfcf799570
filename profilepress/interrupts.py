"""Ctrl-C and SIGTERM are never lost, even when a library swallows them.

Python turns Ctrl-C into an exception (KeyboardInterrupt) wherever the program happens to be.
Some libraries catch every exception around an import or a probe (``except:``), so a Ctrl-C that
lands there disappears, and the build would go on and write its documents as if nobody had asked
it to stop. So the signal is also *recorded* when it arrives, and the build looks at the record
before it writes anything (:func:`check`): a recorded Ctrl-C stops it there, and nothing is written.

Standard library only: ``build.py`` installs the handlers before anything else is imported.
"""

from __future__ import annotations

import signal
import threading


class Terminated(KeyboardInterrupt):
    """SIGTERM: handled as Ctrl-C is (everything staged is removed; nothing half written), exit 143."""


_received: list[int] = []  # the signals that came since the command began


def _on_sigint(signum, frame) -> None:
    _received.append(signal.SIGINT)
    raise KeyboardInterrupt


def _on_sigterm(signum, frame) -> None:
    _received.append(signal.SIGTERM)
    raise Terminated


def watch() -> None:
    """Record Ctrl-C and SIGTERM from now on (and raise them, as Python does). Only the main thread
    receives signals; elsewhere this does nothing."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)
        signal.signal(signal.SIGTERM, _on_sigterm)


def check() -> None:
    """Raise the signal again if one came and was swallowed on the way here."""
    if signal.SIGTERM in _received:
        raise Terminated
    if _received:
        raise KeyboardInterrupt


def forget() -> None:
    """A command has ended (its signal reported): the next command in this process starts afresh."""
    _received.clear()
