#!/usr/bin/env python3
"""A CLI write on a ten-year profile, process start to exit, with and without a running
`serve` on the profile (the node's local door), against `mend --version`, in one run.

  scripts/figures-door.py MEND_BIN PROFILES_DIR WORK_DIR

PROFILES_DIR holds `ana` (from `mend-bench --write-profiles`). Local-only on 127.0.0.1.
Prints Markdown rows: median, p90 and max of N runs each (N=20, or $RUNS).
"""
import os, shutil, signal, statistics, subprocess, sys, time

mend, profiles, work = sys.argv[1:4]
RUNS = int(os.environ.get("RUNS", "20"))

def copy(tag):
    dst = os.path.join(work, f"ana-{tag}")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(os.path.join(profiles, "ana"), dst)
    return dst

def ms(args):
    t = time.perf_counter()
    out = subprocess.run([mend] + args, capture_output=True, text=True)
    took = (time.perf_counter() - t) * 1000
    assert out.returncode == 0, out.stderr
    return took, out.stderr

def row(name, xs):
    xs = sorted(xs)
    print(f"| {name} | {statistics.median(xs):.1f} | {xs[int(len(xs) * 0.9)]:.1f} | {xs[-1]:.1f} |")

print("| CLI, process start to exit, ten years (ms) | median | p90 | max |")
print("|---|---|---|---|")
row("`mend --version` (reference)", [ms(["--version"])[0] for _ in range(RUNS)])

alone = copy("alone")
ms(["--profile", alone, "show", "--json"])  # a view cache of the files as they are
row("`gratitude add`, no Mend running (loads the document)", [ms(["--profile", alone, "gratitude", "add", "--text", f"thanks {i}"])[0] for i in range(RUNS)])
row("`gratitude list`, no Mend running (the view cache)", [ms(["--profile", alone, "gratitude", "list"])[0] for _ in range(RUNS)])

beside = copy("beside")
log = open(os.path.join(work, "serve.log"), "w")
serve = subprocess.Popen([mend, "--profile", beside, "--local-only", "serve"], stdout=subprocess.DEVNULL, stderr=log)
end = time.time() + 60
while "serving as" not in open(os.path.join(work, "serve.log")).read():
    assert time.time() < end, "serve did not start"
    time.sleep(0.1)
time.sleep(5)  # its view check and document load settle
adds = []
for i in range(RUNS):
    took, err = ms(["-v", "--profile", beside, "gratitude", "add", "--text", f"thanks {i}"])
    assert "the running node saved an action" in err, err
    adds.append(took)
row("`gratitude add` beside a running `serve` (handed to it)", adds)
row("`gratitude list` beside a running `serve` (the view cache it keeps)", [ms(["--profile", beside, "gratitude", "list"])[0] for _ in range(RUNS)])
serve.send_signal(signal.SIGTERM)
serve.wait(10)
