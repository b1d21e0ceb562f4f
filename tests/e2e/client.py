#!/usr/bin/python3
"""Test client for the e2e suites: real connections through the VIP, exact
counts out.  Every loop is bounded in count and time.

  client.py http HOST PORT COUNT [--src A,B,..]    sequential new HTTP connections;
                                                   prints one line per request:
                                                   the member's name or ERR <why>
  client.py load HOST PORT SECONDS [--rate N]      steady HTTP load (new connection each);
            [--src ..] [--until-file F]            prints "ok N failed N" and the
            [--open-loop]                          per-member counts as JSON at the end;
                                                   --open-loop: N attempts a second
                                                   whatever their outcome (see cmd_load)
  client.py hold HOST PORT COUNT SECONDS [--src ..] COUNT long-lived TCP echo connections,
            [--until-file F] [--interval S]        a message on each every S (0.2) s;
            [--tuples-file F]                      prints "held N broken N" at the end;
                                                   --tuples-file: "open SRC SPORT" per
                                                   connection once all are open, and
                                                   "broken SRC SPORT" per broken one
  client.py fill HOST PORT COUNT SECONDS [--src ..] keeps COUNT echo connections open,
            [--rounds N] [--interval S]            opening again those refused, for N
                                                   rounds; prints counts at the end
                                                   (see cmd_fill)
  client.py udp HOST PORT COUNT [--src ..]         COUNT UDP echo exchanges from new
                                                   source ports; prints "ok N failed N"

Every command takes --timeout S: how long a connect or an answer may take
(default 2 s).
"""
import json
import os
import resource
import socket
import sys
import threading
import time

TIMEOUT = 2.0


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def connect(host, port, src=None):
    """A TCP connection to HOST:PORT from SRC (any address when None)."""
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        if src:
            s.bind((src, 0))
        s.connect((host, port))
        return s
    except OSError:
        s.close()
        raise


def http_get(host, port, src=None):
    s = None
    try:
        s = connect(host, port, src)
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
        if s:
            s.close()


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def flag(args, name):
    if name in args:
        args.remove(name)
        return True
    return False


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
    """Closed loop (the default): one request after the other, paced to at
    most --rate; a request that hangs delays the next.  --open-loop: a new
    attempt every 1/rate s, each in its own thread, whatever became of the
    earlier ones, so an outage costs as many attempts as it lasts (a closed
    loop makes few attempts while each one waits for its timeout)."""
    srcs = sources(args)
    rate = float(opt(args, "--rate", "50"))
    until = opt(args, "--until-file")
    open_loop = flag(args, "--open-loop")
    host, port, secs = args[0], int(args[1]), float(args[2])
    per_member = {}
    errors = {}
    lock = threading.Lock()

    def attempt(src):
        name, err = http_get(host, port, src)
        with lock:
            if name:
                per_member[name] = per_member.get(name, 0) + 1
            else:
                errors[err] = errors.get(err, 0) + 1

    threads = []
    start = time.monotonic()
    end = start + secs
    i = 0
    while time.monotonic() < end:
        if until and os.path.exists(until):
            break
        if open_loop:
            t = threading.Thread(target=attempt, args=(srcs[i % len(srcs)],))
            t.start()
            threads.append(t)
            i += 1
            pause = start + i / rate - time.monotonic()
        else:
            t0 = time.monotonic()
            attempt(srcs[i % len(srcs)])
            i += 1
            pause = 1.0 / rate - (time.monotonic() - t0)
        if pause > 0:
            time.sleep(pause)
    for t in threads:
        t.join()
    print("ok %d failed %d" % (sum(per_member.values()), sum(errors.values())))
    print(json.dumps({"members": per_member, "errors": errors}, sort_keys=True))
    return 0


def raise_fd_limit(count):
    """Room for COUNT sockets (the soft limit is often 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))


def echo_once(s, seq):
    """One message on S and its echo back; raises OSError (ConnectionResetError
    when the peer reset or closed it)."""
    msg = ("ping %d\n" % seq).encode()
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        chunk = s.recv(len(msg) - len(got))
        if not chunk:
            raise ConnectionResetError("closed by the peer")
        got += chunk
    if got != msg:
        raise OSError("echo mismatch")


def cmd_hold(args):
    srcs = sources(args)
    until = opt(args, "--until-file")
    interval = float(opt(args, "--interval", "0.2"))
    tuples_file = opt(args, "--tuples-file")
    host, port, count, secs = args[0], int(args[1]), int(args[2]), float(args[3])
    raise_fd_limit(count)
    conns = []
    broken = 0
    for i in range(count):
        try:
            conns.append(connect(host, port, srcs[i % len(srcs)]))
        except OSError:
            broken += 1
    names = {s: s.getsockname()[:2] for s in conns}
    if tuples_file:
        with open(tuples_file, "w") as f:
            for s in conns:
                f.write("open %s %d\n" % names[s])
    print("opened %d" % len(conns), flush=True)
    end = time.monotonic() + secs
    seq = 0
    while time.monotonic() < end and conns:
        if until and os.path.exists(until):
            break
        for s in list(conns):
            try:
                echo_once(s, seq)
            except OSError:
                broken += 1
                conns.remove(s)
                s.close()
                if tuples_file:
                    with open(tuples_file, "a") as f:
                        f.write("broken %s %d\n" % names[s])
        seq += 1
        time.sleep(interval)
    print("held %d broken %d rounds %d" % (len(conns), broken, seq), flush=True)
    for s in conns:
        s.close()
    return 0


def cmd_fill(args):
    """Keeps COUNT connections open, as clients that retry do: every round
    (one per --interval, default 0) each open connection exchanges a message,
    and each slot without one opens a new connection and exchanges at once;
    --rounds rounds (default 5), SECONDS at the most.  Prints at the end
    "open N attempts N refused N reset_first N broken N timed_out N rounds
    N": attempts, connects tried; refused, connects answered with a RST;
    reset_first, connections reset during the connect or at their first
    exchange (a balancer that refuses after the handshake); broken, connections that had
    exchanged and then broke; timed_out, connects or exchanges that got no
    answer; rounds, the rounds completed."""
    srcs = sources(args)
    rounds = int(opt(args, "--rounds", "5"))
    interval = float(opt(args, "--interval", "0"))
    host, port, count, secs = args[0], int(args[1]), int(args[2]), float(args[3])
    raise_fd_limit(count)
    slots = [None] * count
    attempts = refused = reset_first = broken = timed_out = 0
    end = time.monotonic() + secs
    seq = done = 0
    while done < rounds and time.monotonic() < end:
        for i in range(count):
            if time.monotonic() >= end:
                break
            s, first = slots[i], False
            if s is None:
                attempts += 1
                try:
                    s = connect(host, port, srcs[i % len(srcs)])
                    first = True
                except ConnectionRefusedError:
                    refused += 1
                    continue
                except ConnectionResetError:
                    # The RST came before connect() returned: refused
                    # right after the handshake (the connection whose
                    # promotion found the table full).
                    reset_first += 1
                    continue
                except OSError:
                    timed_out += 1
                    continue
            try:
                echo_once(s, seq)
                slots[i] = s
            except OSError as e:
                if isinstance(e, socket.timeout):
                    timed_out += 1
                elif first:
                    reset_first += 1
                else:
                    broken += 1
                slots[i] = None
                s.close()
        else:
            done += 1
        seq += 1
        time.sleep(interval)
    opened = [s for s in slots if s is not None]
    print("open %d attempts %d refused %d reset_first %d broken %d timed_out %d rounds %d"
          % (len(opened), attempts, refused, reset_first, broken, timed_out, done), flush=True)
    for s in opened:
        s.close()
    return 0


def cmd_udp(args):
    srcs = sources(args)
    host, port, count = args[0], int(args[1]), int(args[2])
    ok = failed = 0
    why = []
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
                why.append("exchange %d from %s: %r from %s" % (i, s.getsockname()[:2], data, peer[:2]))
        except OSError as e:
            failed += 1
            why.append("exchange %d from %s: %s (--timeout %g s)" % (i, s.getsockname()[:2], e, TIMEOUT))
        finally:
            s.close()
    print("ok %d failed %d" % (ok, failed))
    for line in why:
        print("  " + line, file=sys.stderr)
    return 0 if failed == 0 else 1


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    global TIMEOUT
    cmd, args = sys.argv[1], sys.argv[2:]
    TIMEOUT = float(opt(args, "--timeout", str(TIMEOUT)))
    return {"http": cmd_http, "load": cmd_load, "hold": cmd_hold, "fill": cmd_fill,
            "udp": cmd_udp}[cmd](args)


if __name__ == "__main__":
    sys.exit(main())
