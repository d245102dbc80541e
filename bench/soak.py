#!/usr/bin/env python3
"""Soak: two `shouhou web` and two `shouhou worker` processes on one fresh PostgreSQL database,
with a real SMTP server (aiosmtpd) on loopback as EMAIL_URL, under a bounded mixed load for N
minutes; then checks that nothing was lost, duplicated or broken.

    .venv/bin/pip install -e '.[test,bench]'      # aiosmtpd (test), requests (bench, via locust)
    .venv/bin/python bench/soak.py --minutes 5    # --clients 6 --keep; BENCH_PG=postgresql://…/postgres

Load, from CLIENTS threads, each with its own dealer's serials and its own sessions, spread over
both web processes:
- dealer service forms: through the API (draft, topology diagram, submit) and through the portal
  form (login, multipart form with the diagram);
- events on lines: a service-centre token moves recent orders' lines on with an event their
  `allowed` list offers (approve, receive, inspect, ship…), the dealer's token applies the
  dealer's own events (ship to centre, confirm quote…);
- cases: opened over the API, accepted, noted, handed over to a colleague, resolved;
- a registry import (a units CSV uploaded on /imports/) every 30 s, run by the workers;
- inbound mail: `shouhou mail ingest` of the eml fixtures of tests/mail (each with a fresh
  Message-ID) every 10 s, in a process of its own;
- public warranty checks and coverage lookups;
and the outbox sends the mail those steps cause through the SMTP sink.

At the end (after the queue drains) it checks, prints, and exits 1 when one fails:
- no 5xx and no dropped connection on any request;
- every task SUCCESSFUL, run by exactly one worker, none left queued; every import uploaded has a
  job, done; every queued email sent, and each Message-ID received exactly once by the SMTP sink
  (none unknown, none twice);
- RMA and case numbers unique and gap-free per year, matching their counters;
- no deadlock, serialization failure or traceback in any web or worker log.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/ holds calendar.py, which would shadow the standard library's calendar module: look here last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
ROOT = HERE.parent
EML = sorted((ROOT / "tests" / "mail" / "eml").glob("*.eml"))

import requests  # noqa: E402

from stack import PASSWORD, PNG, Stack, load_average  # noqa: E402

FAULTS = ["无法开机，电源灯不亮", "运行中频繁死机", "硬盘指示灯常亮，无盘客户机无法启动", "网口无连接"]
# Bodies of the line events the soak applies (DESIGN §6 examples); a few events are left out
# (reject, cancel, request_info, charge) so that lines move forward rather than stop.
LINE_EVENTS: dict[str, dict[str, Any]] = {
    "approve": {},
    "approve_advance": {"reason": "网吧营业急需，包换期内提前换货"},
    "resubmit": {},
    "ship_to_centre": {"carrier": "顺丰", "tracking": "SF1234567890"},
    "receive": {"condition": "外包装完好"},
    "inspect": {"fault_confirmed": True, "damage": [], "components": ["主板"]},
    "send_quote": {"items": [{"text": "更换主板", "amount": "680.00"}], "options": ["paid_repair"],
                   "valid_days": 15},
    "confirm_quote": {"choice": "paid_repair"},
    "ship_replacement": {"carrier": "顺丰", "tracking": "SF2234567890"},
    "ship_repaired": {"carrier": "顺丰", "tracking": "SF3234567890"},
    "ship_back": {"carrier": "顺丰", "tracking": "SF4234567890"},
    "confirm_delivery": {},
    "complete_repair": {"parts": ["主板"], "result": "更换主板后测试正常"},
    "close": {},
}


MAX_CLIENTS = 64


class SmtpSink:
    """aiosmtpd handler: keeps every Message-ID it is given."""

    def __init__(self) -> None:
        self.ids: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mid = (message_from_bytes(envelope.content)["Message-ID"] or "").strip()
        with self.lock:
            self.ids[mid] += 1
        return "250 OK"


class Tally:
    """Status codes per action, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
        self.bad: list[str] = []
        self.imports = 0
        self.mails = 0
        self.mail_failures = 0

    def add(self, action: str, resp: requests.Response | None, note: str = "") -> None:
        code = resp.status_code if resp is not None else 0
        with self.lock:
            self.codes[action][code] += 1
            if code == 0 or code >= 500:
                self.bad.append(f"{action} -> {code or 'no answer'} {note}")


class Client(threading.Thread):
    def __init__(self, k: int, *, webs: list[str], seed: dict[str, Any], tally: Tally, until: float) -> None:
        super().__init__(daemon=True)
        self.k, self.webs, self.tally, self.until = k, webs, tally, until
        self.rng = random.Random(k)
        self.dealer = seed["dealers"][k % len(seed["dealers"])]
        self.staff = seed["staff"]
        self.centre = next(s for s in seed["staff"] if s["role"] == "service_center")
        self.dealer_tokens = {d["code"]: d["token"] for d in seed["dealers"]}
        # Serials of this thread's dealer that this thread alone uses: threads sharing a dealer
        # interleave (up to MAX_CLIENTS threads in all).
        self.next_unit = k // len(seed["dealers"])
        self.stride = MAX_CLIENTS // len(seed["dealers"])
        self.stock = iter(range(k, 10**6, MAX_CLIENTS))  # units in stock to ship as replacements
        self.api = requests.Session()
        self.web_dealer: requests.Session | None = None
        self.web_staff: requests.Session | None = None

    # --- helpers --------------------------------------------------------------------------------
    def base(self) -> str:
        return self.rng.choice(self.webs)

    def serials(self, n: int) -> list[str]:
        out = []
        for _ in range(n):
            out.append(f"{self.dealer['prefix']}{self.next_unit:06d}")
            self.next_unit += self.stride
        return out

    def call(self, action: str, method: str, url: str, *, token: str | None = None,
             session: requests.Session | None = None, **kw: Any) -> requests.Response | None:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            resp = (session or self.api).request(method, url, headers=headers, timeout=120, allow_redirects=False,
                                                 **kw)
        except requests.RequestException as exc:
            self.tally.add(action, None, repr(exc))
            return None
        self.tally.add(action, resp, f"{method} {url}")
        return resp

    def login(self, username: str) -> requests.Session:
        s = requests.Session()
        base = self.base()
        page = self.call("login", "GET", base + "/accounts/login/", session=s)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1) if page else ""
        self.call("login", "POST", base + "/accounts/login/", session=s,
                  data={"csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD})
        return s

    @staticmethod
    def csrf(resp: requests.Response | None) -> str:
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', resp.text) if resp is not None else None
        return m.group(1) if m else ""

    # --- actions --------------------------------------------------------------------------------
    def form_api(self) -> None:
        base, token = self.base(), self.dealer["token"]
        lines = [{"serial": s, "fault": self.rng.choice(FAULTS)} for s in self.serials(self.rng.randint(1, 3))]
        resp = self.call("form.api", "POST", base + "/api/v1/service-orders", token=token, json={
            "draft": True, "contact": {"name": "黄工", "phone": "0771-5882301", "email": "hg@dealer.example.cn"},
            "return_address": "广西南宁市青秀区民族大道 100 号", "lines": lines})
        if resp is None or resp.status_code != 201:
            return
        order = resp.json()
        for line in order["lines"]:
            self.call("form.api", "POST", f"{base}/api/v1/service-orders/{order['id']}/lines/{line['id']}/topology",
                      token=token, files={"file": ("topology.png", PNG, "image/png")})
        self.call("form.api", "POST", f"{base}/api/v1/service-orders/{order['id']}/submit", token=token)

    def form_web(self) -> None:
        if self.web_dealer is None:
            self.web_dealer = self.login(self.dealer["username"])
        s, base = self.web_dealer, self.base()
        page = self.call("form.web", "GET", base + "/portal/orders/new/", session=s)
        [serial] = self.serials(1)
        resp = self.call("form.web", "POST", base + "/portal/orders/new/", session=s, data={
            "csrfmiddlewaretoken": self.csrf(page), "contact_name": "黄工", "contact_phone": "0771-5882301",
            "contact_email": "hg@dealer.example.cn", "return_address": "广西南宁市青秀区民族大道 100 号",
            "case_number": "", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "50", "lines-0-serial": serial, "lines-0-fault": self.rng.choice(FAULTS),
            "lines-0-advance_reason": "", "action": "submit"},
            files={"lines-0-topology": ("topology.png", PNG, "image/png")})
        if resp is not None and resp.status_code == 302:
            self.call("form.web", "GET", base + resp.headers["Location"], session=s)

    def line_events(self) -> None:
        base, token = self.base(), self.centre["token"]
        resp = self.call("events", "GET", f"{base}/api/v1/service-orders?page_size=20&page={self.rng.randint(1, 3)}",
                         token=token)
        if resp is None or resp.status_code != 200 or not resp.json()["results"]:
            return
        for order in self.rng.sample(resp.json()["results"], min(3, len(resp.json()["results"]))):
            for line in order["lines"]:
                choices = [e for e in line["allowed"] if e in LINE_EVENTS]
                who = token
                if not choices:
                    dealer_token = self.dealer_tokens.get(order["dealer"])
                    if dealer_token is None:
                        continue
                    view = self.call("events", "GET", f"{base}/api/v1/service-orders/{order['id']}", token=dealer_token)
                    if view is None or view.status_code != 200:
                        continue
                    mine = next((ln for ln in view.json()["lines"] if ln["id"] == line["id"]), None)
                    choices = [e for e in (mine or {}).get("allowed", []) if e in LINE_EVENTS]
                    who, line = dealer_token, mine or line
                if not choices:
                    continue
                event = self.rng.choice(choices)
                body = {"version": line["version"], **LINE_EVENTS[event]}
                if event == "ship_replacement":
                    body["replacement_serial"] = f"SKSTOCK{next(self.stock):06d}"
                self.call(f"event.{event}", "POST",
                          f"{base}/api/v1/service-orders/{order['id']}/lines/{line['id']}/{event}", token=who,
                          json=body)

    def cases(self) -> None:
        base = self.base()
        staff = self.rng.choice([s for s in self.staff if s["role"] != "service_center"])
        other = self.rng.choice([s for s in self.staff if s["username"] != staff["username"]])
        token = staff["token"]
        phone = self.rng.choice(self.dealer["phones"])
        resp = self.call("case.open", "POST", base + "/api/v1/cases", token=token, json={
            "channel": self.rng.choice(["hotline", "qq", "email"]), "type": self.rng.choice(["consultation", "fault"]),
            "reporter": {"name": "韦老板", "phone": phone, "email": "", "qq": ""},
            "serial": self.serials(1)[0], "subject": "无盘客户机启动蓝屏",
            "description": "网吧 80 台客户机无盘启动时蓝屏。"})
        if resp is None or resp.status_code != 201:
            return
        case = resp.json()
        for event, fields in (("accept", {}), ("note", {"text": "用户已发来拓扑图"}),
                              ("hand_over", {"to": other["username"], "note": "转同事继续跟进"}),
                              ("resolve", {"resolution": "重装网卡驱动后正常", "category": "remote_fix"})):
            if event not in case["allowed"]:
                continue
            who = other["token"] if event == "resolve" else token
            resp = self.call(f"case.{event}", "POST", f"{base}/api/v1/cases/{case['id']}/{event}", token=who,
                             json={"version": case["version"], **fields})
            if resp is None or resp.status_code != 200:
                return
            case = resp.json()
            if event == "hand_over":  # the colleague now owns it: what may they do?
                view = self.call("case.view", "GET", f"{base}/api/v1/cases/{case['id']}", token=other["token"])
                if view is None or view.status_code != 200:
                    return
                case = view.json()

    def public(self) -> None:
        base = self.base()
        serial = f"{self.dealer['prefix']}{self.rng.randrange(self.dealer['units']):06d}"
        self.call("public.warranty", "GET", f"{base}/warranty/?serial={serial}", session=requests.Session())
        self.call("public.coverage", "GET", f"{base}/api/v1/units/{serial}/coverage")

    def pages(self) -> None:
        if self.web_staff is None:
            self.web_staff = self.login(self.centre["username"])
        base = self.base()
        for path in ("/rma/", "/cases/", "/"):
            self.call("staff.pages", "GET", base + path, session=self.web_staff)

    def run(self) -> None:
        actions = [(self.form_api, 3), (self.form_web, 2), (self.line_events, 6), (self.cases, 3),
                   (self.public, 2), (self.pages, 1)]
        funcs, weights = zip(*actions, strict=True)
        while time.monotonic() < self.until:
            self.rng.choices(funcs, weights)[0]()
            time.sleep(self.rng.uniform(0.05, 0.3))  # bounded: each client waits between steps


def importer(webs: list[str], seed: dict[str, Any], tally: Tally, until: float) -> None:
    """Every 30 s a staff user uploads a units CSV on /imports/; the workers run it."""
    admin = next(s for s in seed["staff"] if s["role"] == "admin")
    client = Client(10_000, webs=webs, seed=seed, tally=tally, until=until)
    session = client.login(admin["username"])
    n = 0
    while time.monotonic() < until:
        rows = "".join(f"SKIMP{n:03d}{i:05d},SN-SOAK,2026-01-05,,SK-00,450103,,\n" for i in range(500))
        base = client.base()
        page = client.call("import", "GET", base + "/imports/", session=session)
        resp = client.call("import", "POST", base + "/imports/", session=session,
                           data={"csrfmiddlewaretoken": client.csrf(page), "kind": "units"},
                           files={"file": (f"units-{n}.csv",
                                           ("serial,model,shipped_on,sold_on,dealer,region,customer,replaces\n"
                                            + rows).encode(), "text/csv")})
        if resp is not None and resp.status_code == 302:
            with tally.lock:
                tally.imports += 1
        n += 1
        time.sleep(30)


def mailer(stack: Stack, tally: Tally, until: float) -> None:
    """Every 10 s `shouhou mail ingest` of one eml fixture, with a Message-ID of its own."""
    n = 0
    while time.monotonic() < until:
        raw = EML[n % len(EML)].read_bytes()
        raw = re.sub(rb"(?im)^message-id:.*\r?\n", b"", raw, count=1)
        raw = f"Message-ID: <soak-{n}-{os.getpid()}@example.cn>\r\n".encode() + raw
        done = subprocess.run([sys.executable, "-m", "shouhou", "mail", "ingest"], input=raw, env=stack.env,
                              capture_output=True, timeout=600)
        with tally.lock:
            tally.mails += 1
            # 0 stored; 65 (EX_DATAERR) refused for good, as for the oversized fixture; 75 would be a fault.
            if done.returncode not in (0, 65):
                tally.mail_failures += 1
                tally.bad.append(f"mail ingest {EML[n % len(EML)].name} exit {done.returncode}: "
                                 f"{done.stderr.decode(errors='replace')[-500:]}")
        n += 1
        time.sleep(10)


def drain(stack: Stack, timeout: float = 300) -> bool:
    """Wait until no task is queued or running and no email is due."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [(tasks,)] = stack.query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                                 "WHERE status IN ('READY', 'RUNNING')")
        [(mails,)] = stack.query("SELECT COUNT(*) FROM notify_message WHERE transport = 'email' "
                                 "AND state IN ('pending', 'sending') AND next_try_at <= now()")
        if tasks == 0 and mails == 0:
            return True
        time.sleep(1)
    return False


def gap_free(stack: Stack, table: str, column: str, pattern: str, counter: str) -> tuple[bool, str]:
    rows = [r[0] for r in stack.query(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "
                                      f"AND {column} <> ''")]
    by_year: dict[int, list[int]] = collections.defaultdict(list)
    for number in rows:
        m = re.fullmatch(pattern, number)
        if m is None:
            return False, f"{number} does not look like {pattern}"
        by_year[int(m.group(1))].append(int(m.group(2)))
    counters = dict(stack.query(f"SELECT year, last FROM {counter}"))
    notes, ok = [], True
    for year, seq in sorted(by_year.items()):
        fine = sorted(seq) == list(range(1, len(seq) + 1)) and counters.get(year) == len(seq)
        ok &= fine
        notes.append(f"{year}: {len(seq)} numbers, max {max(seq)}, {len(set(seq))} distinct, "
                     f"counter {counters.get(year)}")
    return ok, "; ".join(notes) or "none"


def checks(stack: Stack, sink: SmtpSink, tally: Tally, drained: bool) -> list[tuple[str, bool, str]]:
    out: list[tuple[str, bool, str]] = []
    total = sum(sum(c.values()) for c in tally.codes.values())
    fivexx = sum(n for c in tally.codes.values() for code, n in c.items() if code >= 500 or code == 0)
    out.append(("no 5xx or dropped connection", fivexx == 0, f"{fivexx} of {total} requests"))
    out.append(("every `shouhou mail ingest` stored or refused its message (no EX_TEMPFAIL)", tally.mail_failures == 0,
                f"{tally.mails} messages, {tally.mail_failures} failed"))
    out.append(("queue drained after the load", drained, ""))
    tasks = stack.query("SELECT task_path, status, worker_ids FROM django_tasks_database_dbtaskresult")
    by = collections.Counter((path.rsplit(".", 1)[-1], status) for path, status, _w in tasks)
    twice = [w for _p, _s, w in tasks if len(w) > 1]
    out.append(("every task SUCCESSFUL", all(s == "SUCCESSFUL" for _p, s, _w in tasks),
                ", ".join(f"{p} {s}: {n}" for (p, s), n in sorted(by.items()))))
    out.append(("no task run twice", not twice, f"{len(tasks)} tasks, {len(twice)} taken by more than one worker"))
    jobs = stack.query("SELECT status, COUNT(*) FROM registry_importjob WHERE file_name LIKE 'units-%' "
                       "GROUP BY status")
    done = dict(jobs).get("done", 0)
    out.append(("every import uploaded ran once, done", done == tally.imports and sum(dict(jobs).values()) == done,
                f"{tally.imports} uploaded, jobs {dict(jobs)}"))
    mails = stack.query("SELECT state, message_id FROM notify_message WHERE transport = 'email'")
    states = collections.Counter(s for s, _m in mails)
    sent_ids = collections.Counter(m for s, m in mails if s == "sent")
    received = sink.ids
    dup_db = [m for m, n in sent_ids.items() if n > 1]
    twice_received = [m for m, n in received.items() if n > 1]
    unknown = set(received) - set(sent_ids)
    missing = set(sent_ids) - set(received)
    out.append(("every email sent (none failed or left)", set(states) <= {"sent"} and states["sent"] > 0,
                f"{dict(states)}"))
    out.append(("each Message-ID received exactly once",
                not (dup_db or twice_received or unknown or missing),
                f"{len(received)} received, {len(twice_received)} twice, {len(missing)} sent but not received, "
                f"{len(unknown)} unknown, {len(dup_db)} ids shared in the outbox"))
    ok, note = gap_free(stack, "rma_serviceorder", "number", r"RMA(\d{4})-(\d{6})", "rma_rmanumber")
    out.append(("RMA numbers unique and gap-free", ok, note))
    ok, note = gap_free(stack, "cases_case", "number", r"C(\d{4})-(\d{6})", "cases_casenumber")
    out.append(("case numbers unique and gap-free", ok, note))
    faults = stack.log_faults()
    out.append(("no deadlock, serialization failure or traceback in the logs", not faults,
                "; ".join(f"{k}: {len(v)} lines, first: {v[0][:200]}" for k, v in faults.items()) or "clean"))
    dead = stack.dead()
    out.append(("every process still up at the end", not dead, ", ".join(dead) or "4 of 4"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--clients", type=int, default=6, help="client threads (default 6)")
    parser.add_argument("--web", type=int, default=2, help="`shouhou web` processes (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="`shouhou worker` processes (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1..{MAX_CLIENTS}")

    from aiosmtpd.controller import Controller

    from stack import free_port

    sink = SmtpSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    stack = Stack("soak", keep=args.keep, env={"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"})
    started = time.time()
    try:
        print(f"soak: database {stack.dbname}, logs in {stack.logs}; {os.cpu_count()} cores, "
              f"load average {load_average()}", flush=True)
        seed = stack.seed(dealers=4, units=20_000, stock=20_000)
        webs = stack.start_web(args.web)
        stack.start_workers(args.workers)
        print(f"soak: {args.web} web ({', '.join(webs)}), {args.workers} workers, {args.clients} clients, "
              f"{args.minutes} min", flush=True)
        tally = Tally()
        until = time.monotonic() + args.minutes * 60
        threads: list[threading.Thread] = [Client(k, webs=webs, seed=seed, tally=tally, until=until)
                                           for k in range(args.clients)]
        threads.append(threading.Thread(target=importer, args=(webs, seed, tally, until), daemon=True))
        threads.append(threading.Thread(target=mailer, args=(stack, tally, until), daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_end = load_average()
        drained = drain(stack)
        results = checks(stack, sink, tally, drained)
    finally:
        stack.stop()
        smtp.stop()
        stack.drop()

    total = sum(sum(c.values()) for c in tally.codes.values())
    print(f"\nrequests: {total} in {args.minutes} min; load average at the end of the load {load_end}; "
          f"wall {time.time() - started:.0f} s")
    for action, codes in sorted(tally.codes.items()):
        print(f"  {action:<24} " + ", ".join(f"{code}: {n}" for code, n in sorted(codes.items())))
    for line in tally.bad[:20]:
        print(f"  ! {line}")
    print()
    for name, ok, note in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({note})" if note else ""))
    passed = all(ok for _n, ok, _note in results)
    stack.cleanup(ok=passed)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
