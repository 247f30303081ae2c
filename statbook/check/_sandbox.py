"""Run a student's function where it can be stopped, and bring back only plain data.

A self-check calls code it cannot trust to finish: a loop in Python, but also one
long call into C (``sum(range(2 * 10**8))`` holds the interpreter for half a
minute and cannot be interrupted from another thread), or a result whose
``__float__`` or ``__repr__`` sleeps.  So everything that touches the student's
objects runs in one place with one time limit per call: the call itself, turning
its result into numbers (:func:`settle`), its ``repr`` when it is not a number,
and the text of an exception or warning.  What comes back is plain data (an
:class:`Outcome` of a numeric array, ``None`` or a :class:`Shown` text, and
strings of at most :data:`TEXT_LIMIT` characters), which the checker can
handle without calling the student's code again.

Where the operating system can ``fork`` (Linux and the other Unixes but macOS,
whose system libraries are not safe to use in a forked child), the calls run in
a child process that the checker kills when a call runs out of time; the child
calls the function in a fresh thread, so the checker's frames are not on its
stack.  Elsewhere they run in a thread of this process, which an exception
raised asynchronously stops between two bytecodes; a call that is stuck in C
is then left behind, but the check still returns on time unless that call holds
the interpreter lock.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import gc
import io
import os
import pickle
import select
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

#: run the student's calls in a child process (else in a thread, see the module docstring)
FORK = hasattr(os, "fork") and sys.platform != "darwin"
TEXT_LIMIT = 200  #: characters of a student's text (printed output, a message) shown back
WARNINGS_LIMIT = 3  #: different warnings of one call shown back
TIMEOUT = "TimeoutError: it did not finish within"
ENDED = "ChildProcessError: the process running it ended without an answer (os._exit or a crash?)"
_CHECK_DIR = str(Path(__file__).parent)
_HEADER = 8  #: bytes of the length that precedes each outcome sent by the child


class Shown(NamedTuple):
    """A result that is not a number, as its (shortened) ``repr``."""

    text: str


class Outcome(NamedTuple):
    """What one call of a student's function gave, as plain data."""

    value: np.ndarray | Shown | None  #: the result as numbers (see :func:`settle`)
    error: str | None  #: the exception it raised, described, or None
    warnings: list[str]
    printed: str  #: what it printed, shortened to :data:`TEXT_LIMIT` characters


def run(func: Callable, arg_list: Sequence[tuple], limit: float) -> list[Outcome]:
    """``func(*args)`` for each ``args``, each call (with its result settled) within ``limit`` s.

    Each call gets a deep copy of its arguments, so an in-place edit does not
    change the next case.  After a call ran out of time the later ones would
    too: they get the same time-out without being tried.  After a call ended
    the child process (``os._exit``, a crash in C), the next calls run in a new one.
    """
    timed_out = Outcome(None, f"{TIMEOUT} {limit:g} s", [], "")
    outcomes: list[Outcome] = []
    while len(outcomes) < len(arg_list):
        answered, stopped = (_in_child if FORK else _in_threads)(
            func, arg_list[len(outcomes) :], limit
        )
        outcomes += answered
        if stopped == TIMEOUT:
            outcomes += [timed_out] * (len(arg_list) - len(outcomes))
        elif stopped == ENDED:
            outcomes.append(Outcome(None, ENDED, [], ""))
    return outcomes


def settle(value: Any) -> np.ndarray | Shown | None:
    """``value`` as a numeric array (bool, int, float, complex), None, or its :class:`Shown` repr.

    Lists, scalars and arrays of any kind become a plain ``numpy.ndarray``
    (not a subclass); objects that are not numbers become their short ``repr``.
    This calls the student's code (``__array__``, ``__float__``, ``__repr__``), so
    it runs with the call, under its time limit.
    """
    if value is None:
        return None
    if value is Ellipsis or isinstance(value, str):
        return Shown(short_repr(value))
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biufc":
            array = array.astype(float)
        return np.array(array, subok=False)
    except Exception:  # not a number, whatever went wrong in converting it
        return Shown(short_repr(value))


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text``, cut to ``limit`` characters and marked " …" where it was longer."""
    return text if len(text) <= limit else text[:limit] + " …"


def short_repr(value: Any) -> str:
    """The ``repr`` of ``value`` in at most 40 characters (its type where ``repr`` fails)."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type_name(value)} object>"
    return text if len(text) <= 40 else text[:37] + "..."


def type_name(value: Any) -> str:
    """The name of the type of ``value``, shortened, read without running a metaclass."""
    return shorten(type.__dict__["__name__"].__get__(type(value)), 60)


def describe_error(err: BaseException) -> str:
    """``TypeError: message (in f, line 3: ...)``, located in the student's code, not ours.

    Every part is shortened; a message whose ``__str__`` fails is said to be so.
    """
    frames = [
        frame
        for frame in traceback.extract_tb(err.__traceback__)
        if not frame.filename.startswith(_CHECK_DIR)
        and not frame.filename.startswith(threading.__file__)
    ]
    where = ""
    if frames:
        last = frames[-1]
        line = shorten((last.line or "").strip(), 80)
        where = f" (in {shorten(last.name, 60)}, line {last.lineno}: {line})"
    return f"{type_name(err)}: {_message(err)}{where}"


def _message(err: BaseException) -> str:
    try:
        return shorten(str(err))
    except Exception as failure:
        return f"<its message could not be shown: str() raised {type_name(failure)}>"


class _TimeUp(BaseException):
    """Raised in a student's function that ran out of time (in a thread; not an ``Exception``)."""


def _call(func: Callable, args: tuple, printed: io.StringIO) -> Outcome:
    """One call of ``func`` on a copy of ``args``: its settled result or its error, described."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = settle(func(*copy.deepcopy(args))), None
        except _TimeUp:
            raise
        except BaseException as err:  # SystemExit and KeyboardInterrupt are answers too
            value, error = None, describe_error(err)
        notes: list[str] = []
        for warning in caught:
            note = _message(warning.message)
            if note not in notes and len(notes) < WARNINGS_LIMIT:
                notes.append(note)
    return Outcome(value, error, notes, shorten(printed.getvalue()))


# --- in a child process ----------------------------------------------------------------------


_UNREAPED: list[int] = []  #: children that were told to end, to be waited for later


def _in_child(
    func: Callable, arg_list: Sequence[tuple], limit: float
) -> tuple[list[Outcome], str | None]:
    """The outcomes of the calls a forked child answered, and why it stopped early (or None).

    SIGINT is blocked in the child (an interrupt is the checker's, which then ends
    the child).  Where no process can be started, the calls run in threads.
    """
    _reap()
    read_end, write_end = os.pipe()
    pid = 0
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork with threads
                pid = os.fork()
        except OSError:  # too many processes, or too little memory
            pid = -1
        if pid == 0:
            try:
                os.close(read_end)
                _serve(func, arg_list, write_end, limit)
            finally:
                os._exit(0)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if pid < 0:
            return _in_threads(func, arg_list, limit)
        os.close(write_end)
        write_end = -1
        return _collect(read_end, len(arg_list), limit)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)
        if pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _UNREAPED.append(pid)


def _reap() -> None:
    """Wait for the children that have ended, without blocking."""
    for pid in list(_UNREAPED):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # waited for elsewhere
            done = pid
        if done:
            _UNREAPED.remove(pid)


def _serve(func: Callable, arg_list: Sequence[tuple], fd: int, limit: float) -> None:
    """In the child: answer each call on ``fd``; end by itself if the checker is gone.

    The garbage collector stays off: a collection would touch every object the
    child shares with the checker, and so copy most of its memory.
    """
    gc.disable()
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the alarm ends the process, even in C
    signal.setitimer(signal.ITIMER_REAL, (limit + 1.0) * len(arg_list))
    worker = threading.Thread(
        target=_answer, args=(func, arg_list, fd), name="statbook-check", daemon=True
    )
    worker.start()
    worker.join()


def _answer(func: Callable, arg_list: Sequence[tuple], fd: int) -> None:
    for args in arg_list:
        printed = io.StringIO()
        sys.stdout = sys.stderr = printed
        data = pickle.dumps(_plain(_call(func, args, printed)), protocol=pickle.HIGHEST_PROTOCOL)
        data = len(data).to_bytes(_HEADER, "little") + data
        while data:
            data = data[os.write(fd, data) :]


def _plain(outcome: Outcome) -> tuple:
    """``outcome`` as builtins only (so that the checker unpickles no class)."""
    value = outcome.value
    if isinstance(value, np.ndarray):
        value = ("array", value.dtype.str, value.shape, value.tobytes())
    elif isinstance(value, Shown):
        value = ("shown", value.text)
    return (value, *outcome[1:])


def _collect(fd: int, count: int, limit: float) -> tuple[list[Outcome], str | None]:
    """Read up to ``count`` outcomes from ``fd``, each within ``limit`` s of the one before."""
    outcomes: list[Outcome] = []
    received = bytearray()
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + limit
    while len(outcomes) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            return outcomes, TIMEOUT
        if not poller.poll(left * 1000):
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return outcomes, ENDED
        received += chunk
        while len(received) >= _HEADER:
            size = int.from_bytes(received[:_HEADER], "little")
            if len(received) < _HEADER + size:
                break
            try:
                outcomes.append(_from_plain(bytes(received[_HEADER : _HEADER + size])))
            except Exception:  # not what the child sends: the student wrote to the pipe
                return outcomes, ENDED
            del received[: _HEADER + size]
            deadline = time.monotonic() + limit
    return outcomes, None


class _Builtins(pickle.Unpickler):
    """Unpickles builtins only: no class is looked up, so no code runs."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not sent by the checker's child")


def _from_plain(data: bytes) -> Outcome:
    value, error, notes, printed = _Builtins(io.BytesIO(data)).load()
    if isinstance(value, tuple) and value[0] == "array":
        dtype = np.dtype(value[1])
        if dtype.kind not in "biufc":
            raise ValueError("not a numeric array")
        value = np.frombuffer(value[3], dtype=dtype).reshape(value[2])
    elif isinstance(value, tuple):
        value = Shown(str(value[1]))
    elif value is not None:
        raise ValueError("not a value the child sends")
    return Outcome(value, error, list(notes), printed)


# --- in a thread (no fork) -------------------------------------------------------------------


def _in_threads(
    func: Callable, arg_list: Sequence[tuple], limit: float
) -> tuple[list[Outcome], str | None]:
    """The outcomes of the calls answered in time, each in a thread of its own; TIMEOUT or None."""
    outcomes: list[Outcome] = []
    for args in arg_list:
        answered: list[Outcome] = []
        printed = io.StringIO()
        worker = threading.Thread(
            target=_answer_in_thread,
            args=(func, args, printed, answered),
            name="statbook-check",
            daemon=True,
        )
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            worker.start()
            worker.join(limit)
            if worker.is_alive():
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeUp)
                )
                worker.join(1.0)
        if worker.is_alive() or not answered:
            return outcomes, TIMEOUT
        outcomes += answered
    return outcomes, None


def _answer_in_thread(
    func: Callable, args: tuple, printed: io.StringIO, answered: list[Outcome]
) -> None:
    with contextlib.suppress(_TimeUp):
        answered.append(_call(func, args, printed))
