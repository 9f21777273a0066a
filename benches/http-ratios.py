#!/usr/bin/env python3
"""How sure one harness run is: the spread of its per-round ratios.

Reads the JSONL files that ../shared/bench/http_bench.py writes and prints, for each
scenario and server, the ratio of requests per second to the reference server in
every round, their median (the figure the harness reports), a bootstrap 95 % interval
for that median, and the median of the per-round ratios of p99 latency (below 1 is
better; none when wrk could not track it, as with pipelining). With several files, the rounds of all of them are pooled.

Run a second copy of the reference server under another name (an A/A pair, e.g.
`--preset hyper --server hyper2='.../hyper-bench {port}'`): its interval is the noise
floor of the run, since the two copies are the same program.

usage: http-ratios.py RUN.jsonl [RUN.jsonl ...] [--ref hyper] [--seed 1]
"""
import argparse
import collections
import json
import random
import statistics


def load(paths):
    """Rows with results, keyed by (file, scenario, round) then server."""
    rounds = collections.defaultdict(dict)
    order = {}
    for i, path in enumerate(paths):
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                if "rps" not in row or "scenario" not in row:
                    continue
                rounds[(i, row["scenario"], row["round"])][row["server"]] = row
                order.setdefault(row["scenario"], len(order))
    return rounds, sorted(order, key=order.get)


def interval(values, rng, draws=4000):
    """Bootstrap 95 % interval of the median of values."""
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(draws))
    return medians[int(0.025 * draws)], medians[int(0.975 * draws) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", metavar="RUN.jsonl")
    ap.add_argument("--ref", default="hyper", help="the reference server (default hyper)")
    ap.add_argument("--seed", type=int, default=1, help="bootstrap seed, for repeatable output")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rounds, scenarios = load(args.runs)
    servers = list(dict.fromkeys(s for by in rounds.values() for s in by if s != args.ref))
    print("| scenario | server | rounds | median ratio | 95 % interval | min | max | per-round ratios "
          "| p99 ratio |")
    print("|---|---|---:|---:|---|---:|---:|---|---:|")
    for scenario in scenarios:
        for server in servers:
            pairs = [(by[server], by[args.ref]) for key, by in sorted(rounds.items())
                     if key[1] == scenario and server in by and args.ref in by]
            if not pairs:
                continue
            ratios = [ours["rps"] / ref["rps"] for ours, ref in pairs]
            p99 = [ours["p99_us"] / ref["p99_us"] for ours, ref in pairs if ours["p99_us"] and ref["p99_us"]]
            low, high = interval(ratios, rng)
            print(f"| {scenario} | {server} | {len(ratios)} | {statistics.median(ratios):.3f} | "
                  f"{low:.3f}–{high:.3f} | {min(ratios):.3f} | {max(ratios):.3f} | "
                  f"{' '.join(f'{r:.2f}' for r in ratios)} | "
                  f"{f'{statistics.median(p99):.3f}' if p99 else 'n/a'} |")


if __name__ == "__main__":
    main()
