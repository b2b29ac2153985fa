#!/usr/bin/env python3
"""Issue 11's figures on running processes, before and after in the same run.

  scripts/figures-issue11.py BEFORE_BIN AFTER_BIN PROFILES_DIR WORK_DIR

PROFILES_DIR holds `ana` and `ben` (from `mend-bench --write-profiles`). Each binary gets
its own copies. Everything is local-only on 127.0.0.1. Needs Xvfb for the window figures.
Prints Markdown rows.
"""
import json, os, shutil, signal, statistics, subprocess, sys, time

before, after, profiles, work = sys.argv[1:5]
SECS = int(os.environ.get("SECS", "60"))

def copy(name, tag):
    dst = os.path.join(work, f"{name}-{tag}")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(os.path.join(profiles, name), dst)
    return dst

def idle(pid, secs=SECS):
    out = subprocess.run([os.path.join(os.path.dirname(__file__), "idle-cost.sh"), str(pid), str(secs)], capture_output=True, text=True, check=True)
    return out.stdout.split()

def device_id(binary, prof):
    out = subprocess.run([binary, "--profile", prof, "show", "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["me"]["device"]

def start(binary, prof, args, log, env=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.Popen([binary, "--profile", prof, "--local-only"] + args, stdout=subprocess.DEVNULL, stderr=open(log, "w"), env=e)

def wait_log(log, needle, secs=60):
    end = time.time() + secs
    while time.time() < end:
        if needle in open(log).read():
            return True
        time.sleep(0.1)
    return False

def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()

rows = {}
bins = {"before": before, "after": after}
port = {"before": 47101, "after": 47102}

# 1. serve, no peers.
procs = {}
for tag, b in bins.items():
    a = copy("ana", tag + "-alone")
    log = os.path.join(work, f"serve-alone-{tag}.log")
    procs[tag] = (start(b, a, ["serve"], log), log)
for tag, (p, log) in procs.items():
    assert wait_log(log, "serving as"), open(log).read()
time.sleep(10)  # the view check and the document load settle
for tag, (p, _) in procs.items():
    rows[("serve, no peers", tag)] = idle(p.pid)
for p, _ in procs.values():
    stop(p)

# 2. serve with one connected peer, and the cross-process pick-up.
pairs = {}
for tag, b in bins.items():
    a, bn = copy("ana", tag), copy("ben", tag)
    ben_id = device_id(b, bn)
    os.makedirs(os.path.join(a, "sync"), exist_ok=True)
    with open(os.path.join(a, "sync", "peers.json"), "w") as f:
        json.dump({"peers": {ben_id: {"addrs": [f"127.0.0.1:{port[tag]}"], "last_synced": None, "link": None, "last_error": None}}}, f)
    blog = os.path.join(work, f"serve-ben-{tag}.log")
    alog = os.path.join(work, f"serve-ana-{tag}.log")
    wire = os.path.join(work, f"wire-ana-{tag}.bin")
    if os.path.exists(wire):
        os.remove(wire)
    pb = subprocess.Popen([b, "--profile", bn, "--local-only", "--bind", f"127.0.0.1:{port[tag]}", "serve"], stdout=subprocess.DEVNULL, stderr=open(blog, "w"))
    assert wait_log(blog, "serving as"), open(blog).read()
    pa = start(b, a, ["serve"], alog, {"MEND_WIRE_LOG": wire})
    assert wait_log(alog, "in sync with", 120), open(alog).read()
    pairs[tag] = (pa, pb, a, wire)
time.sleep(10)
for tag, (pa, pb, a, wire) in pairs.items():
    rows[("serve, one connected peer", tag)] = idle(pa.pid)
for tag, (pa, pb, a, wire) in pairs.items():
    lat = []
    for i in range(20):
        size = os.path.getsize(wire)
        subprocess.run([bins[tag], "--profile", a, "gratitude", "add", "--text", f"pick-up {i}"], check=True, capture_output=True)
        t0 = time.perf_counter()
        while os.path.getsize(wire) == size and time.perf_counter() - t0 < 2:
            time.sleep(0.0002)
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.3)
    lat.sort()
    rows[("pick-up ms p50/p90/max", tag)] = [f"{statistics.median(lat):.1f}", f"{lat[int(len(lat) * 0.9)]:.1f}", f"{lat[-1]:.1f}"]
for pa, pb, _, _ in pairs.values():
    stop(pa)
    stop(pb)

# 3. A CLI action, process start to exit, against `mend --version`.
for tag, b in bins.items():
    a = copy("ana", tag + "-cli")
    subprocess.run([b, "--profile", a, "show", "--json"], check=True, capture_output=True)
    def run(args):
        t = time.perf_counter()
        subprocess.run([b] + args, check=True, capture_output=True)
        return (time.perf_counter() - t) * 1000
    ver = sorted(run(["--version"]) for _ in range(10))
    act = sorted(run(["--profile", a, "gratitude", "add", "--text", "thanks"]) for _ in range(10))
    show = sorted(run(["--profile", a, "gratitude", "list"]) for _ in range(10))
    rows[("CLI ms median: --version / gratitude add / gratitude list", tag)] = [f"{statistics.median(ver):.1f}", f"{statistics.median(act):.1f}", f"{statistics.median(show):.1f}"]

# 4. The window under Xvfb, untouched: wake-ups, CPU and memory; an empty profile for reference.
if shutil.which("Xvfb"):
    xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1280x900x24"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    env = dict(os.environ, DISPLAY=":97", LIBGL_ALWAYS_SOFTWARE="1")
    wins = {}
    for tag, b in bins.items():
        a = copy("ana", tag + "-win")
        empty = os.path.join(work, f"empty-{tag}")
        shutil.rmtree(empty, ignore_errors=True)
        subprocess.run([b, "--profile", empty, "init", "--name", "Ana"], check=True, capture_output=True)
        wins[tag] = [subprocess.Popen([b, "--profile", p, "--local-only"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in (a, empty)]
    time.sleep(30)
    for tag, (w, we) in wins.items():
        rows[("window, ten years, untouched", tag)] = idle(w.pid)
        rows[("window, empty profile, untouched", tag)] = idle(we.pid, 20)
    for ws in wins.values():
        for w in ws:
            stop(w)
    xvfb.terminate()

print("| figure | before | after |")
print("|---|---|---|")
for name in dict.fromkeys(k for k, _ in rows):
    print(f"| {name} | {' '.join(rows.get((name, 'before'), []))} | {' '.join(rows.get((name, 'after'), []))} |")
