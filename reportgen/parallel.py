"""Run independent work on the other core: one call in a forked process, its result awaited later.

The monthly batch renders Word documents and spreadsheets that do not depend on each other;
on a machine with two cores the spreadsheets are written in a child process while the parent
renders the documents. Fork (Linux) shares the parent's data without pickling it; elsewhere,
or on one core, the call simply runs in this process when its result is asked for.

A value the call needs that is only known after it started (the 督办 as recorded in the ledger)
is handed over through a `Later`: the child works on what it can and waits at `Later.get()`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (a killed run leaves no orphan)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _usable() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores > 1


class Later(Generic[T]):
    """A value given (`put`) by the parent after a `Background` call started, which the call
    waits for (`get`): through a pipe in a forked child, directly when the call runs here."""

    _unset: Any = object()

    def __init__(self) -> None:
        import multiprocessing

        self._recv, self._send = multiprocessing.Pipe(duplex=False)
        self._value: Any = self._unset
        self._to_child = False

    def _forked(self) -> None:
        """In the parent, once a child that will `get` the value has started."""
        self._recv.close()
        self._to_child = True

    def _in_child(self) -> None:
        self._send.close()

    def put(self, value: T) -> None:
        """Give the value (once). To a child it is sent from a thread: a large value fills the
        pipe until the child reads it, and the parent goes on meanwhile."""
        self._value = value
        if self._to_child:
            threading.Thread(target=self._deliver, args=(value,), daemon=True).start()
        else:
            self._recv.close()
            self._send.close()

    def _deliver(self, value: T) -> None:
        try:
            self._send.send(value)
        except OSError:  # the child is gone (it failed, or was cancelled)
            pass
        finally:
            self._send.close()

    def get(self) -> T:
        """Return the value, waiting for it in a forked child (EOFError if the parent gave up)."""
        if self._value is self._unset:
            self._value = self._recv.recv()
            self._recv.close()
        return self._value


class Background(Generic[T]):
    """`func(*args)` started in a forked child; `result()` waits and returns or raises as it did."""

    def __init__(self, func: Callable[..., T], *args: Any, fork: bool | None = None) -> None:
        self._func = func
        self._args = args
        self._proc: Any = None
        self._conn: Any = None
        if not (_usable() if fork is None else fork):
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        parent = os.getpid()
        laters = [a for a in args if isinstance(a, Later)]

        def child() -> None:
            _die_with_parent(parent)
            recv.close()
            for later in laters:
                later._in_child()
            try:
                outcome: tuple[str, Any] = ("ok", func(*args))
            except BaseException as exc:  # handed to the parent, which raises it
                outcome = ("error", exc)
            try:
                send.send(outcome)
            except Exception as exc:  # an unpicklable result or exception
                send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            send.close()

        self._proc = ctx.Process(target=child, daemon=True)
        self._proc.start()
        send.close()
        self._conn = recv
        for later in laters:
            later._forked()

    @property
    def forked(self) -> bool:
        """Return True when the call runs in a child process."""
        return self._proc is not None

    def result(self) -> T:
        """Return the call's result (raising what it raised); runs it here when not forked."""
        if self._proc is None:
            return self._func(*self._args)
        try:
            kind, value = self._conn.recv()
        except EOFError:
            self._proc.join()
            raise RuntimeError(f"后台进程异常退出（退出码 {self._proc.exitcode}）") from None
        finally:
            self._conn.close()
        self._proc.join()
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if it is still running (the parent is giving up)."""
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join()

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.cancel()
