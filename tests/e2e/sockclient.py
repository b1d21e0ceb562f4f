#!/usr/bin/python3
"""Local client of the socket-hook suite: what the application sees.
Every call is bounded by a timeout; every loop by its count.

  sockclient.py tcp HOST PORT COUNT    COUNT HTTP/1.0 GETs, a new connection each;
                                       one line per request: "PEER BODY" with PEER
                                       from getpeername(), or "ERR <errno name>"
  sockclient.py udp HOST PORT COUNT    COUNT echo exchanges on ONE unconnected socket
                                       (sendto/recvfrom); one line each: "FROM DATA"
  sockclient.py udpc HOST PORT COUNT   the same from COUNT connected sockets; one line
                                       each: "PEER FROM DATA" (getpeername, recvfrom)
"""
import errno
import socket
import sys

TIMEOUT = 2.0


def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def addr(a):
    host, port = a[0], a[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def err_line(e):
    if isinstance(e, socket.timeout):
        return "ERR timeout"
    return "ERR " + errno.errorcode.get(e.errno, str(e.errno))


def tcp(host, port):
    s = socket.socket(fam(host), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        s.connect((host, port))
        peer = addr(s.getpeername())
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = b""
        for _ in range(1000):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        body = data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace").strip()
        return f"{peer} {body}"
    except OSError as e:
        return err_line(e)
    finally:
        s.close()


def udp_exchange(s, host, port, i, connected):
    msg = f"ping {i}".encode()
    if connected:
        s.send(msg)
    else:
        s.sendto(msg, (host, port))
    data, src = s.recvfrom(2048)
    return f"{addr(src)} {'ok' if data == msg else 'bad'}"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    mode, host, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for i in range(count):
        if mode == "tcp":
            print(tcp(host, port), flush=True)
        elif mode in ("udp", "udpc"):
            if mode == "udpc" or i == 0:
                s = socket.socket(fam(host), socket.SOCK_DGRAM)
                s.settimeout(TIMEOUT)
            try:
                if mode == "udpc":
                    s.connect((host, port))
                    print(addr(s.getpeername()), udp_exchange(s, host, port, i, True), flush=True)
                    s.close()
                else:
                    print(udp_exchange(s, host, port, i, False), flush=True)
            except OSError as e:
                print(err_line(e), flush=True)
        else:
            sys.exit(__doc__)


if __name__ == "__main__":
    main()
