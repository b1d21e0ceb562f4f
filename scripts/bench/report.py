"""make bench, last step: raw.tsv -> summary.tsv, gnuplot scripts and the
end-to-end section of docs/benchmarks.md.

usage: report.py OUT_DIR [DOC]

OUT_DIR holds raw.tsv (one row per round, path and test: conn, req, tput,
connN from N client addresses, flood under a spoofed SYN flood), env.tsv
(machine, versions, parameters) and unavailable.tsv (paths not measured, and
why).
Writes OUT_DIR/summary.tsv and OUT_DIR/*.gp + *.dat (bench.sh runs gnuplot on
them); DOC, when given, gets its text between the two MARK lines replaced
(appended at the end when they are missing).
"""
import csv
import os
import statistics
import sys

MARK_BEGIN = "<!-- make bench: end-to-end results (generated) -->"
MARK_END = "<!-- end of generated end-to-end results -->"
ORDER = ["routed", "xlb-nat", "xlb-nat-pool", "xlb-dnat", "xlb-dsr", "xlb-nat-tc", "xlb-dnat-tc", "nftables", "haproxy",
         "nginx-stream"]
LABEL = {
    "routed": "no balancer (routed through lb)",
    "xlb-nat": "xlb `nat`",
    "xlb-nat-pool": "xlb `nat`, snat pool of 4",
    "xlb-dnat": "xlb `dnat`",
    "xlb-dsr": "xlb `dsr`",
    "xlb-nat-tc": "xlb `nat`, tc mode",
    "xlb-dnat-tc": "xlb `dnat`, tc mode",
    "nftables": "nftables DNAT `numgen inc`",
    "haproxy": "HAProxy TCP `roundrobin`",
    "nginx-stream": "nginx stream",
}


def read_tsv(path, header=True):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        if header:
            return list(csv.DictReader(f, delimiter="\t"))
        return [r for r in csv.reader(f, delimiter="\t") if r]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


class Stat:
    """Median, min and max of one metric of one path over the rounds."""

    def __init__(self, values):
        self.values = [v for v in values if v is not None]
        self.n = len(self.values)
        self.med = statistics.median(self.values) if self.values else None
        self.lo = min(self.values) if self.values else None
        self.hi = max(self.values) if self.values else None

    def spread_pct(self):
        if not self.med:
            return None
        return 100.0 * (self.hi - self.lo) / self.med


def fmt(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def collect(rows):
    """{(path, test): {column: [values]}} over the rounds."""
    out = {}
    for r in rows:
        d = out.setdefault((r["path"], r["test"]), {})
        for k, v in r.items():
            d.setdefault(k, []).append(v)
    return out


def split_sum(strings):
    """'m1=3,m2=4' strings summed per member -> 'm1 7 / m2 8'."""
    tot = {}
    for s in strings:
        if not s or s == "-":
            continue
        for part in s.split(","):
            k, _, v = part.partition("=")
            tot[k] = tot.get(k, 0) + int(v)
    return " / ".join(f"{k} {v:,}" for k, v in sorted(tot.items())) or "–"


def probe_sum(strings):
    """'ok/attempts' strings of the flood probe summed -> (ok, attempts)."""
    ok = total = 0
    for s in strings:
        a, _, b = (s or "").partition("/")
        if a.isdigit() and b.isdigit():
            ok, total = ok + int(a), total + int(b)
    return ok, total


def addr_tests(data):
    """The connN tests of the run, by N."""
    ns = {int(t[4:]) for _, t in data if t.startswith("conn") and t[4:].isdigit()}
    return [f"conn{n}" for n in sorted(ns)]


def main():
    out_dir = sys.argv[1]
    doc = sys.argv[2] if len(sys.argv) > 2 else ""
    rows = read_tsv(os.path.join(out_dir, "raw.tsv"))
    env = dict((r[0], r[1]) for r in read_tsv(os.path.join(out_dir, "env.tsv"), False))
    na = dict((r[0], r[1]) for r in read_tsv(os.path.join(out_dir, "unavailable.tsv"), False))
    data = collect(rows)
    paths = [p for p in ORDER if any(k[0] == p for k in data) or p in na]

    def stat(path, test, col="value"):
        return Stat([num(v) for v in data.get((path, test), {}).get(col, [])])

    def ratio(path, test, ref="routed"):
        a, b = stat(path, test).med, stat(ref, test).med
        return a / b if a is not None and b else None

    # summary.tsv: one line per path and test.
    cols = ["value", "p50_ms", "p99_ms", "errors", "syn_retrans", "retrans_segs",
            "softirq_pct", "sys_pct", "user_pct"]
    with open(os.path.join(out_dir, "summary.tsv"), "w") as f:
        f.write("path\ttest\truns\tmedian\tmin\tmax\tx_routed\t" +
                "\t".join("median_" + c for c in cols[1:]) +
                "\tsplit_total\tprobe_ok\tprobe_attempts\tmedian_flood_pps\n")
        for p in paths:
            for t in ["conn", "req", "tput"] + addr_tests(data) + ["flood"]:
                s = stat(p, t)
                if not s.n:
                    continue
                r = ratio(p, t)
                f.write("\t".join([p, t, str(s.n), fmt(s.med, 3).replace(",", ""),
                                   fmt(s.lo, 3).replace(",", ""), fmt(s.hi, 3).replace(",", ""),
                                   f"{r:.3f}" if r else "-"] +
                                  [fmt(stat(p, t, c).med, 3).replace(",", "") for c in cols[1:]] +
                                  [split_sum(data[(p, t)]["split"])] +
                                  [str(v) for v in probe_sum(data[(p, t)].get("probe", []))] +
                                  [fmt(stat(p, t, "flood_pps").med).replace(",", "")]) + "\n")

    write_plots(out_dir, paths, stat, addr_tests(data), env)
    if doc:
        write_doc(doc, render(env, na, paths, stat, ratio, data))


def write_plots(out_dir, paths, stat, extra_addrs, env):
    measured = [p for p in paths if stat(p, "conn").n]
    addrs = env.get("client_addrs", "1").split()
    conn = [("conn", "value", f"{addrs[0]} client addresses" if extra_addrs else "")]
    conn += [(t, "value", f"{t[4:]} client addresses") for t in extra_addrs]
    charts = [
        ("conn", "new connections/s (Connection: close)", "connections/s", conn),
        ("req", "keep-alive requests/s", "requests/s", [("req", "value", "")]),
        ("tput", "single-stream throughput (iperf3)", "Gbit/s", [("tput", "value", "")]),
        ("latency", "latency, keep-alive (wrk --latency)", "ms (log scale)",
         [("req", "p50_ms", "p50"), ("req", "p99_ms", "p99")]),
        ("flood", f"new connections/s under a spoofed SYN flood of {env.get('flood_rate', '?')}/s",
         "connections/s", [("conn", "value", "no flood"), ("flood", "value", "under the flood")]),
    ]
    for name, title, ylabel, series in charts:
        dat = os.path.join(out_dir, f"{name}.dat")
        rows = [p for p in measured if name != "flood" or stat(p, "flood").n]
        if not rows:
            continue
        with open(dat, "w") as f:
            for p in rows:
                cells = []
                for test, col, _ in series:
                    s = stat(p, test, col)
                    cells += [s.med or 0, s.lo or 0, s.hi or 0]
                f.write(f'"{p}" ' + " ".join(f"{c:.3f}" for c in cells) + "\n")
        plot = ", ".join(
            f"'{dat}' using {2 + 3 * i}:{3 + 3 * i}:{4 + 3 * i}" + (":xtic(1)" if i == 0 else "") +
            (f" title '{lbl}'" if lbl else " notitle")
            for i, (_, _, lbl) in enumerate(series))
        with open(os.path.join(out_dir, f"{name}.gp"), "w") as f:
            f.write(f"""set terminal pngcairo size 900,480 font ',10'
set output '{os.path.join(out_dir, name + ".png")}'
set title '{title}: median of runs, bars min-max'
set ylabel '{ylabel}'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set grid ytics
set yrange [{'0.1' if name == 'latency' else '0'}:*]
{'set logscale y' if name == 'latency' else ''}
set xtics noenhance
set key top right
plot {plot}
""")


def render(env, na, paths, stat, ratio, data):
    out = []
    w = out.append
    w(MARK_BEGIN)
    w("")
    w(f"Run of {env.get('date', '?')}: `make bench`, {env.get('rounds', '?')} rounds, "
      f"{env.get('runtime_s', '?')} s in all.")
    w("")
    w(f"- Machine: {env.get('cpu', '?')} ({env.get('virt', '?')} guest), kernel "
      f"{env.get('kernel', '?')}; client, balancer and members share these CPUs.")
    w(f"- Versions: xlb {env.get('xlb', '?')}, nginx {env.get('nginx', '?')}, "
      f"HAProxy {env.get('haproxy', '?')}, nftables {env.get('nftables', '?')}, "
      f"wrk {env.get('wrk', '?')}, iperf3 {env.get('iperf3', '?')}.")
    addrs = env.get("client_addrs", "1").split()
    w(f"- Each path once per round, the order rotated every round; per path and "
      f"round: wrk {env.get('seconds', '?')} s with `Connection: close`, wrk "
      f"{env.get('seconds', '?')} s keep-alive ({env.get('conns', '?')} connections "
      f"over 2 wrk processes of 1 thread), iperf3 {env.get('iperf_seconds', '?')} s, "
      f"one stream; {addrs[0]} client address(es)" +
      "".join(f"; `Connection: close` again from {n} addresses" for n in addrs[1:]) +
      (f"; `Connection: close` again under a spoofed SYN flood of "
       f"{int(env['flood_rate']):,} packets/s" if env.get("flood_rate", "0") != "0" else "") +
      ".  Medians over the rounds; the spread is (max − min) / median.")
    w("")
    w("| path | new conn/s | × routed | spread | keep-alive req/s | × routed | spread "
      "| iperf3 Gbit/s | × routed | spread |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        if p in na and not stat(p, "conn").n:
            w(f"| {LABEL[p]} | {na[p]} | | | | | | | | |")
            continue
        cells = [LABEL[p]]
        for t, d in (("conn", 0), ("req", 0), ("tput", 2)):
            s = stat(p, t)
            r = ratio(p, t)
            sp = s.spread_pct()
            cells += [fmt(s.med, d), f"{r:.2f}" if r else "–", f"{sp:.0f}%" if sp is not None else "–"]
        w("| " + " | ".join(cells) + " |")
    w("")
    w("Latency, retransmits, errors, CPU and the per-member split (medians over "
      "the rounds; SYN retransmits, errors and the split are totals over the "
      "rounds; CPU is the share of all CPUs during the close-per-request runs):")
    w("")
    w("| path | keep-alive p50 / p99 ms | close p50 / p99 ms | SYN retrans (retrans segs) "
      "| errors | softirq / system / user % | requests per member, close runs |")
    w("|---|---|---|---|---|---|---|")
    for p in paths:
        if not stat(p, "conn").n:
            continue
        tot = lambda col: int(sum(v for t in ("conn", "req", "tput")
                                  for v in stat(p, t, col).values))
        w(f"| {LABEL[p]} "
          f"| {fmt(stat(p, 'req', 'p50_ms').med, 2)} / {fmt(stat(p, 'req', 'p99_ms').med, 1)} "
          f"| {fmt(stat(p, 'conn', 'p50_ms').med, 2)} / {fmt(stat(p, 'conn', 'p99_ms').med, 1)} "
          f"| {tot('syn_retrans')} ({tot('retrans_segs')}) | {tot('errors')} "
          f"| {fmt(stat(p, 'conn', 'softirq_pct').med)} / {fmt(stat(p, 'conn', 'sys_pct').med)}"
          f" / {fmt(stat(p, 'conn', 'user_pct').med)} "
          f"| {split_sum(data[(p, 'conn')]['split'])} |")
    w("")
    for line in by_addrs(paths, stat, ratio, data, addrs):
        w(line)
    for line in under_flood(paths, stat, data, env):
        w(line)
    w("Targets (new connections/s unless said otherwise):")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for line in targets(paths, stat, ratio, na, data):
        w(line)
    w("")
    w("![new connections/s](bench/conn.png)")
    if any(stat(p, "flood").n for p in paths):
        w("![new connections/s under a SYN flood](bench/flood.png)")
    w("![keep-alive requests/s](bench/req.png)")
    w("![throughput](bench/tput.png)")
    w("![latency](bench/latency.png)")
    w("")
    w("Raw rows: [bench/raw.tsv](bench/raw.tsv); medians: [bench/summary.tsv](bench/summary.tsv).")
    w("")
    w(MARK_END)
    return "\n".join(out) + "\n"


def by_addrs(paths, stat, ratio, data, addrs):
    """New connections/s from each number of client addresses."""
    tests = ["conn"] + addr_tests(data)
    if len(tests) < 2:
        return []
    names = [addrs[0]] + [t[4:] for t in tests[1:]]
    out = ["New connections/s by the number of client addresses (the NAT port "
           "supply depends on it):", "",
           "| path | " + " | ".join(f"{n} addresses | × routed" for n in names) + " |",
           "|---|" + "---|---|" * len(names)]
    for p in paths:
        if not stat(p, "conn").n:
            continue
        cells = [LABEL[p]]
        for t in tests:
            r = ratio(p, t)
            cells += [fmt(stat(p, t).med), f"{r:.2f}" if r else "–"]
        out.append("| " + " | ".join(cells) + " |")
    return out + [""]


def under_flood(paths, stat, data, env):
    """New connections/s and legit success under the spoofed SYN flood."""
    flooded = [p for p in paths if stat(p, "flood").n]
    if not flooded:
        return []
    out = [f"Under a spoofed SYN flood of {int(env.get('flood_rate', 0)):,} packets/s to the "
           f"path's VIP (sources in 198.19.0.0/16 that never answer; it starts "
           f"{env.get('flood_lead', '?')} s before wrk): wrk's new connections/s, against the "
           f"same path without the flood; the probe's legit connections "
           f"({env.get('probe_rate', '?')} attempts/s whatever their outcome, 3 s timeout) "
           f"that succeeded; the flood rate the generator reached (median):", "",
           "| path | new conn/s | × no flood | legit success (probe) | wrk errors "
           "| SYN retrans | flood reached /s |",
           "|---|---|---|---|---|---|---|"]
    for p in flooded:
        s, base = stat(p, "flood"), stat(p, "conn")
        ok, total = probe_sum(data[(p, "flood")].get("probe", []))
        out.append(
            f"| {LABEL[p]} | {fmt(s.med)} | "
            f"{f'{s.med / base.med:.2f}' if s.med is not None and base.med else '–'} | "
            f"{f'{100 * ok / total:.1f}% ({ok:,} of {total:,})' if total else '–'} | "
            f"{int(sum(stat(p, 'flood', 'errors').values)):,} | "
            f"{int(sum(stat(p, 'flood', 'syn_retrans').values)):,} | "
            f"{fmt(stat(p, 'flood', 'flood_pps').med)} |")
    return out + [""]


def targets(paths, stat, ratio, na, data):
    def verdict(value, goal, what):
        if value is None:
            return f"| {what} | – | not measured |"
        if value >= goal:
            return f"| {what} | {value:.2f}× | met |"
        return f"| {what} | {value:.2f}× | missed by {100 * (goal - value) / goal:.0f}% |"

    lines = []
    for p in [p for p in paths if p.startswith("xlb-")]:
        mode = p[4:]
        if not stat(p, "conn").n:
            lines.append(f"| xlb `{mode}` | – | {na.get(p, 'not measured')} |")
            continue
        if mode in ("nat", "nat-pool"):
            lines.append(verdict(ratio(p, "conn"), 0.95, f"xlb `{mode}` ≥ 0.95× routed"))
            lines.append(verdict(ratio(p, "conn", "nftables"), 1.0, f"xlb `{mode}` ≥ nftables DNAT"))
        if mode == "dsr":
            lines.append(verdict(ratio(p, "conn"), 1.0, "xlb `dsr` ≥ 1.0× routed"))
        lines.append(verdict(ratio(p, "conn", "haproxy"), 1.5, f"xlb `{mode}` ≥ 1.5× HAProxy"))
        lines.append(verdict(ratio(p, "req", "haproxy"), 1.5,
                             f"xlb `{mode}` ≥ 1.5× HAProxy, keep-alive req/s"))
        lines.append(verdict(ratio(p, "tput"), 0.95, f"xlb `{mode}` throughput ≥ 0.95× routed"))
        if stat(p, "flood").n:
            ok, total = probe_sum(data[(p, "flood")].get("probe", []))
            what = f"xlb `{mode}` ≥ 99% legit connections succeed under the SYN flood"
            if not total:
                lines.append(f"| {what} | – | not measured |")
            elif ok * 100 >= 99 * total:
                lines.append(f"| {what} | {100 * ok / total:.1f}% | met |")
            else:
                lines.append(f"| {what} | {100 * ok / total:.1f}% | missed |")
    return lines


def write_doc(path, section):
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    b, e = text.find(MARK_BEGIN), text.find(MARK_END)
    if b >= 0 and e > b:
        text = text[:b] + section + text[e + len(MARK_END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
