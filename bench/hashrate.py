"""Password hashes per second of N parallel processes: the ceiling of login throughput.

Run by run.py as one more interleaved round next to the login rounds, so it sees the same
machine load as the logins it is compared with. Reads {"encoded", "password", "seconds",
"processes"} as JSON on stdin; prints {"hashes", "elapsed_s", "rate"} (rate: hashes per
second, all processes together).
"""

import json
import multiprocessing
import sys
import time


def _count(job) -> tuple[int, float]:
    encoded, password, seconds = job
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    started = time.perf_counter()
    count, deadline = 0, started + seconds
    while time.perf_counter() < deadline:
        if not hasher.verify(password, encoded):
            raise ValueError("the password does not match the hash")
        count += 1
    return count, time.perf_counter() - started


def run(plan: dict) -> dict:
    processes = int(plan.get("processes", 2))
    job = (plan["encoded"], plan["password"], float(plan["seconds"]))
    # Each process times its own hashing (not the pool's start-up); the rates add up.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        counts = pool.map(_count, [job] * processes)
    return {
        "hashes": sum(count for count, _ in counts),
        "elapsed_s": max(elapsed for _, elapsed in counts),
        "rate": sum(count / elapsed for count, elapsed in counts),
    }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
