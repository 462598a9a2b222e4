"""The emulator with an AWS outage switch, for tests only: `python -m tests.integration.aws_outage <options>`.

It runs the emulator unchanged, except that the Lambda code reaches the AWS emulation
through a TCP relay this module controls, the way a network sits between Lambda and AWS:
- SIGUSR1: AWS hangs. Connections, open or new, are accepted and never answered.
- SIGUSR2: AWS is gone. Every connection is cut and new ones are refused.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from typing import Any

from emulator import __main__ as emulator
from emulator import aws


class Relay:
    """Forwards 127.0.0.1:port to the AWS emulation until told to hang or to go away."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.hanging = False
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, name="relay", daemon=True).start()

    def hang(self) -> None:
        self.hanging = True

    def go_away(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # stops listening now; close alone waits for accept()
        self.listener.close()
        for connection in self._open:
            with contextlib.suppress(OSError):  # already closed by its peer
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self) -> None:
        while True:
            try:
                caller, _ = self.listener.accept()
            except OSError:
                return  # closed: from now on the kernel refuses connections
            self._open.append(caller)
            if self.hanging:
                continue  # accepted, never answered
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._open.append(upstream)
            for source, sink in ((caller, upstream), (upstream, caller)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.hanging:  # a hanging AWS swallows requests on open connections too
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()


def main(argv: list[str]) -> int:
    relays: list[Relay] = []
    start = aws.EmbeddedAws.start

    def start_behind_a_relay(embedded: aws.EmbeddedAws) -> aws.LocalStack:
        relays.append(Relay(embedded.port))  # moto listens on embedded.port; our code dials the relay
        return start(embedded)

    aws.EmbeddedAws.start = start_behind_a_relay  # type: ignore[method-assign]
    aws.EmbeddedAws.endpoint = property(lambda _: f"http://127.0.0.1:{relays[0].port}")  # type: ignore[method-assign]

    def switch(action: str) -> Any:
        return lambda signum, frame: getattr(relays[0], action)()

    signal.signal(signal.SIGUSR1, switch("hang"))
    signal.signal(signal.SIGUSR2, switch("go_away"))
    return emulator.main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
