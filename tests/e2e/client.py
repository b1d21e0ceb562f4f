#!/usr/bin/python3
"""Test client for the e2e suites: real connections through the VIP, exact
counts out.  Every loop is bounded in count and time.

  client.py http HOST PORT COUNT [--src A,B,..]    sequential new HTTP connections;
                                                   prints one line per request:
                                                   the member's name or ERR <why>
  client.py load HOST PORT SECONDS [--rate N]      steady HTTP load (new connection each);
            [--src ..] [--until-file F]            prints "ok N failed N" and the
                                                   per-member counts as JSON at the end
  client.py hold HOST PORT COUNT SECONDS [--src ..] COUNT long-lived TCP echo connections,
            [--until-file F]                      a message on each every 0.2 s; prints
                                                   "held N broken N" at the end
  client.py udp HOST PORT COUNT [--src ..]         COUNT UDP echo exchanges from new
                                                   source ports; prints "ok N failed N"
"""
import json
import os
import socket
import sys
import time

TIMEOUT = 2.0


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def http_get(host, port, src=None):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        if src:
            s.bind((src, 0))
        s.connect((host, port))
        s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
            if len(data) > 65536:
                break
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0]:
            return None, "bad response %r" % head[:40]
        return body.decode(errors="replace").strip(), None
    except OSError as e:
        return None, e.__class__.__name__ + ": " + str(e)
    finally:
        s.close()


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def sources(args):
    v = opt(args, "--src")
    return v.split(",") if v else [None]


def cmd_http(args):
    srcs = sources(args)
    host, port, count = args[0], int(args[1]), int(args[2])
    bad = 0
    for i in range(count):
        name, err = http_get(host, port, srcs[i % len(srcs)])
        print(name if name else "ERR " + err, flush=True)
        bad += name is None
    return 1 if bad else 0


def cmd_load(args):
    srcs = sources(args)
    rate = float(opt(args, "--rate", "50"))
    until = opt(args, "--until-file")
    host, port, secs = args[0], int(args[1]), float(args[2])
    ok = failed = 0
    per_member = {}
    errors = {}
    end = time.monotonic() + secs
    i = 0
    while time.monotonic() < end:
        if until and os.path.exists(until):
            break
        t0 = time.monotonic()
        name, err = http_get(host, port, srcs[i % len(srcs)])
        i += 1
        if name:
            ok += 1
            per_member[name] = per_member.get(name, 0) + 1
        else:
            failed += 1
            errors[err] = errors.get(err, 0) + 1
        pause = 1.0 / rate - (time.monotonic() - t0)
        if pause > 0:
            time.sleep(pause)
    print("ok %d failed %d" % (ok, failed))
    print(json.dumps({"members": per_member, "errors": errors}, sort_keys=True))
    return 0


def cmd_hold(args):
    srcs = sources(args)
    until = opt(args, "--until-file")
    host, port, count, secs = args[0], int(args[1]), int(args[2]), float(args[3])
    conns = []
    broken = 0
    for i in range(count):
        s = socket.socket(family(host), socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        try:
            if srcs[i % len(srcs)]:
                s.bind((srcs[i % len(srcs)], 0))
            s.connect((host, port))
            conns.append(s)
        except OSError:
            broken += 1
            s.close()
    print("opened %d" % len(conns), flush=True)
    end = time.monotonic() + secs
    seq = 0
    while time.monotonic() < end and conns:
        if until and os.path.exists(until):
            break
        for s in list(conns):
            msg = ("ping %d\n" % seq).encode()
            try:
                s.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    chunk = s.recv(len(msg) - len(got))
                    if not chunk:
                        raise OSError("closed")
                    got += chunk
                if got != msg:
                    raise OSError("echo mismatch")
            except OSError:
                broken += 1
                conns.remove(s)
                s.close()
        seq += 1
        time.sleep(0.2)
    print("held %d broken %d rounds %d" % (len(conns), broken, seq), flush=True)
    for s in conns:
        s.close()
    return 0


def cmd_udp(args):
    srcs = sources(args)
    host, port, count = args[0], int(args[1]), int(args[2])
    ok = failed = 0
    for i in range(count):
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        try:
            if srcs[i % len(srcs)]:
                s.bind((srcs[i % len(srcs)], 0))
            msg = b"udp %d" % i
            s.sendto(msg, (host, port))
            data, peer = s.recvfrom(2048)
            if data == msg and peer[0] == socket.getaddrinfo(host, port)[0][4][0]:
                ok += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        finally:
            s.close()
    print("ok %d failed %d" % (ok, failed))
    return 0 if failed == 0 else 1


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    return {"http": cmd_http, "load": cmd_load, "hold": cmd_hold, "udp": cmd_udp}[cmd](args)


if __name__ == "__main__":
    sys.exit(main())
