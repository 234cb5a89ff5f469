"""Serve an ASGI app over real HTTP: in a background thread for tests and the embedded
simulator (`start_server`), or in the foreground for the CLI (`serve_forever`)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp

__all__ = ["RunningServer", "serve_forever", "start_server"]

_STARTUP_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0


class _QuietDrops(logging.Filter):
    """A simulated dropped connection is the point of the fault, not an error to log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return type(exc).__name__ != "ConnectionDropped"


def _config(app: ASGIApp, host: str, port: int) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # h11 everywhere, so a dropped-connection fault behaves the same on every machine.
        http="h11",
        timeout_graceful_shutdown=1,
    )


@dataclass
class RunningServer:
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _socket: socket.socket = field(repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Stop accepting, let in-flight requests finish briefly, then force it."""
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(_STOP_TIMEOUT)
        self._socket.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def start_server(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Run `app` on a daemon thread; returns once it accepts connections. Port 0 picks a
    free port (bound here, so the port is known before uvicorn starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
    # proto is IPPROTO_TCP, and without it Nagle + delayed ACK add ~40 ms to every response
    # on a kept-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual_port = int(sock.getsockname()[1])
    server = uvicorn.Server(_config(app, host, actual_port))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"sim-{actual_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not (server.started and _accepts(host, actual_port)):
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the simulator did not start on {host}:{actual_port}")
        time.sleep(0.01)
    return RunningServer(host=host, port=actual_port, _server=server, _thread=thread, _socket=sock)


class _ForegroundServer(uvicorn.Server):
    """Runs `on_shutdown` as the last step of a graceful shutdown: uvicorn re-raises a
    captured SIGTERM once serving ends, and that kills the process before any code after
    run() could save the state."""

    def __init__(self, config: uvicorn.Config, on_shutdown: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_shutdown = on_shutdown
        self._finished = False

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        self.finish()

    def finish(self) -> None:
        if not self._finished:
            self._finished = True
            if self._on_shutdown is not None:
                self._on_shutdown()


def serve_forever(app: ASGIApp, host: str, port: int, on_shutdown: Callable[[], None] | None = None) -> None:
    """Blocking; Ctrl-C or SIGTERM stop it gracefully. `on_shutdown` runs exactly once
    however serving ends (used to save the simulator's state)."""
    server = _ForegroundServer(_config(app, host, port), on_shutdown)
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl-C after its graceful shutdown; that is a normal stop
    finally:
        server.finish()
