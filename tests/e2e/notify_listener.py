#!/usr/bin/python3
"""A stand-in for systemd's notification socket, for the e2e suites.

  notify_listener.py SOCKET OUT SECONDS [--on-ready CMD [--freeze PIDFILE]]

Binds a unix datagram socket at the path SOCKET (give it to the daemon as
NOTIFY_SOCKET) and writes one JSON object per datagram to OUT, flushed at
once:

  {"seq": 1, "usec": CLOCK_MONOTONIC at receipt, "fields": {"READY": "1", ...},
   "probe": "what CMD printed", "frozen": true}

With --on-ready, CMD (a shell command) runs the moment a READY=1 arrives,
before the next datagram is read, and its output is recorded with it: what
the system looked like when the daemon said it was ready.  With --freeze,
the process whose PID is in PIDFILE is stopped (SIGSTOP) as soon as READY=1
is read, before CMD starts, and continued after it: CMD then sees what the
sender had done when it sent READY=1, not what it did while CMD started.
Ends after STOPPING=1, or after SECONDS in all (bounded, whatever the daemon
does).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    opts = {}
    for opt in ("--on-ready", "--freeze"):
        if opt in args:
            i = args.index(opt)
            opts[opt] = args[i + 1]
            del args[i:i + 2]
    on_ready, freeze = opts.get("--on-ready"), opts.get("--freeze")
    if len(args) != 3:
        sys.stderr.write(__doc__)
        return 2
    path, out_path, seconds = args[0], args[1], float(args[2])
    deadline = time.monotonic() + seconds

    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)  # a daemon running as another user may send
    seq = 0
    with open(out_path, "a", encoding="utf-8") as out:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data = sock.recv(4096)
            except socket.timeout:
                break
            usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            seq += 1
            fields = {}
            for line in data.decode("utf-8", "replace").split("\n"):
                if "=" in line:
                    key, value = line.split("=", 1)
                    fields[key] = value
            rec = {"seq": seq, "usec": usec, "fields": fields}
            if on_ready and fields.get("READY") == "1":
                pid = 0
                if freeze:
                    with open(freeze, encoding="ascii") as f:
                        text = f.read().strip()
                    pid = int(text) if text.isdigit() else 0
                if pid:
                    os.kill(pid, signal.SIGSTOP)
                rec["frozen"] = bool(pid)
                try:
                    probe = subprocess.run(["bash", "-c", on_ready], capture_output=True,
                                           text=True, timeout=max(1.0, min(20.0, left)))
                    rec["probe"] = probe.stdout.strip()
                finally:
                    if pid:
                        os.kill(pid, signal.SIGCONT)
            out.write(json.dumps(rec) + "\n")
            out.flush()
            if fields.get("STOPPING") == "1":
                break
    sock.close()
    os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
