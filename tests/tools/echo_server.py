#!/usr/bin/python3
"""A TCP echo server for thousands of connections in one process (socat's
fork-per-connection would start one process per connection): the members'
end of the e2e tests that fill the flow table with open connections.

  echo_server.py PORT SECONDS

Listens on [::]:PORT (IPv4 too) with a backlog of 4096, echoes every byte
back, and exits after SECONDS (a bound: a test that dies never leaves it
running for long) or on SIGTERM; prints "accepted N" when it ends.
"""
import resource
import selectors
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    port, secs = int(sys.argv[1]), float(sys.argv[2])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    lsock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    lsock.bind(("::", port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    accepted = 0
    end = time.monotonic() + secs
    while not stop and time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            if s is lsock:
                try:
                    conn, _ = lsock.accept()
                except OSError:
                    continue
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ)
                accepted += 1
                continue
            try:
                data = s.recv(4096)
                if data:
                    s.sendall(data)  # a few bytes: the socket buffer takes them
                    continue
            except OSError:
                pass
            sel.unregister(s)
            s.close()
    print("accepted %d" % accepted, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
