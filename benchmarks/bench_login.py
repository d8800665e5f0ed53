"""How long a failed login takes for an existing and for an unknown username.

Issue 14, item 4: the login answered an unknown username in 2.5 ms and a wrong password
of an existing one in 186 ms, which told anyone which usernames exist. Both now check a
password hash of the same method and cost; this script measures the two through the
app's test client (the login form, the throttle's writes, the hash), on a SQLite file
in a temporary folder.

    python benchmarks/bench_login.py [--rounds 40]

Each round sends one failed login for the existing account and one for an unknown
username, in alternating order, each from its own client address (so no lock
interferes); the medians and the 10th-90th percentile spreads are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

PASSWORD = "a long enough password"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                    r'name="csrf_token" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["KLEROTERION_INSTANCE_PATH"] = folder
        from kleroterion.db import make_engine, make_sessionmaker, session_scope, upgrade
        from kleroterion.services import users
        from kleroterion.web import create_app

        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(make_sessionmaker(engine), actor="bench") as session:
            users.create_user(session, "secretariat", PASSWORD, "secretariat")
        engine.dispose()
        app = create_app("paris", {"SECRET_KEY": "bench", "KLEROTERION_DATABASE_URL": url,
                                   "SESSION_COOKIE_SECURE": False})
        timings: dict[str, list[float]] = {"existing": [], "unknown": []}
        for number in range(args.rounds + 2):
            order = ("existing", "unknown") if number % 2 else ("unknown", "existing")
            for kind in order:
                client = app.test_client()
                page = client.get("/admin/login").get_data(as_text=True)
                found = _TOKEN.search(page)
                assert found, "no CSRF token on the login page"
                token = found.group(1) or found.group(2)
                name = "secretariat" if kind == "existing" else f"nobody-{number}"
                address = f"10.{number // 200}.{number % 200}.{1 if kind == 'existing' else 2}"
                start = time.perf_counter()
                status = client.post("/admin/login", data={
                    "csrf_token": token, "username": name, "password": "wrong password!"},
                    environ_base={"REMOTE_ADDR": address}).status_code
                elapsed = time.perf_counter() - start
                assert status == 401, status
                if number >= 2:  # the first rounds warm up (imports, the dummy hash)
                    timings[kind].append(elapsed * 1000)
        for kind, values in timings.items():
            deciles = statistics.quantiles(values, n=10)
            print(f"{kind:>8}: median {statistics.median(values):6.1f} ms "
                  f"(10th-90th percentile {deciles[0]:.1f}-{deciles[-1]:.1f} ms, "
                  f"{len(values)} logins)")


if __name__ == "__main__":
    main()
