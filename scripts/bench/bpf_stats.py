"""Run time of one BPF program under real traffic.

usage: bpf_stats.py PROG_ID SECONDS

Turns the kernel's BPF run-time statistics on with BPF_ENABLE_STATS (they
stay on only while the returned fd is open, so they go off when this
exits), reads run_cnt and run_time_ns of the program with bpftool at the
start and the end of SECONDS, and prints the runs and the mean ns per run.
Debian's bpftool is built without `prog profile`; this is what is left.
"""
import ctypes
import json
import os
import subprocess
import sys
import time

SYS_BPF = {"x86_64": 321, "aarch64": 280}
BPF_ENABLE_STATS = 32
BPF_STATS_RUN_TIME = 0


def prog_stats(prog_id):
    out = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(prog_id)],
                         capture_output=True, text=True, check=True).stdout
    p = json.loads(out)
    return p.get("run_cnt", 0), p.get("run_time_ns", 0), p.get("name", "?")


def main():
    prog_id, secs = int(sys.argv[1]), float(sys.argv[2])
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint32 * 16)(BPF_STATS_RUN_TIME)
    fd = libc.syscall(SYS_BPF[os.uname().machine], BPF_ENABLE_STATS, attr, ctypes.sizeof(attr))
    if fd < 0:
        print(f"BPF_ENABLE_STATS failed: {os.strerror(ctypes.get_errno())}")
        return 1
    try:
        c0, t0, name = prog_stats(prog_id)
        time.sleep(secs)
        c1, t1, _ = prog_stats(prog_id)
    finally:
        os.close(fd)
    runs = c1 - c0
    print(f"program {prog_id} ({name}): {runs} runs in {secs:g} s, "
          f"{(t1 - t0) / runs if runs else 0:.0f} ns per run (mean, every packet on l0 and l1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
