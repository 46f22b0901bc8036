#!/usr/bin/env python3
"""Writes the two demo traces built into Stitch (src/demo/*.json), as Jaeger JSON.

Deterministic: run it again and the files come out the same. Durations are hand-chosen so the story is clear:
the ride request spends most of its time in geo-index waiting on one slow postgres query.
"""
import json, os, random

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "demo")


class T:
    def __init__(self, trace_id, seed, t0):
        self.trace_id = trace_id
        self.rng = random.Random(seed)
        self.t0 = t0
        self.spans = []
        self.procs = {}

    def pid(self, service, tags):
        for k, v in self.procs.items():
            if v["serviceName"] == service:
                return k
        k = "p%d" % (len(self.procs) + 1)
        base = [
            {"key": "telemetry.sdk.language", "type": "string", "value": tags.get("lang", "go")},
            {"key": "telemetry.sdk.name", "type": "string", "value": "opentelemetry"},
            {"key": "host.name", "type": "string", "value": "%s-%s" % (service, self.rng.choice(["7d9f", "5c2a", "b81e"]))},
            {"key": "k8s.namespace.name", "type": "string", "value": tags.get("ns", "rides")},
            {"key": "service.version", "type": "string", "value": tags.get("ver", "1.%d.%d" % (self.rng.randint(2, 9), self.rng.randint(0, 20)))},
        ]
        self.procs[k] = {"serviceName": service, "tags": base}
        return k

    def span(self, service, op, start_ms, dur_ms, parent=None, kind="internal", tags=None, logs=None, ref="CHILD_OF", error=False, proc_tags=None):
        sid = "%016x" % self.rng.getrandbits(64)
        t = [{"key": "span.kind", "type": "string", "value": kind}]
        for k, v in (tags or {}).items():
            ty = "bool" if isinstance(v, bool) else "int64" if isinstance(v, int) else "float64" if isinstance(v, float) else "string"
            t.append({"key": k, "type": ty, "value": v})
        if error:
            t.append({"key": "error", "type": "bool", "value": True})
            t.append({"key": "otel.status_code", "type": "string", "value": "ERROR"})
        s = {
            "traceID": self.trace_id,
            "spanID": sid,
            "operationName": op,
            "references": [] if parent is None else [{"refType": ref, "traceID": self.trace_id, "spanID": parent}],
            "startTime": self.t0 + int(round(start_ms * 1000)),
            "duration": int(round(dur_ms * 1000)),
            "tags": t,
            "logs": [{"timestamp": self.t0 + int(round(ts * 1000)), "fields": [{"key": k, "type": "string", "value": v} for k, v in f.items()]} for ts, f in (logs or [])],
            "processID": self.pid(service, proc_tags or {}),
            "warnings": None,
        }
        self.spans.append(s)
        return sid

    def write(self, name):
        doc = {"data": [{"traceID": self.trace_id, "spans": self.spans, "processes": self.procs, "warnings": None}], "total": 0, "limit": 0, "offset": 0, "errors": None}
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(name, len(self.spans), "spans")


def http_server(method, route, status, host):
    return {"http.request.method": method, "http.route": route, "http.response.status_code": status, "server.address": host, "url.scheme": "https"}


def http_client(method, url, status):
    return {"http.request.method": method, "url.full": url, "http.response.status_code": status}


def grpc(service, method, code=0):
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method, "rpc.grpc.status_code": code}


def pg(stmt, table, rows=None):
    d = {"db.system": "postgresql", "db.name": "rides", "db.statement": stmt, "db.sql.table": table, "server.address": "pg-rides-primary.db", "server.port": 5432}
    if rows is not None:
        d["db.response.returned_rows"] = rows
    return d


def redis(cmd, key, hit=None):
    d = {"db.system": "redis", "db.statement": "%s %s" % (cmd, key), "db.operation": cmd, "server.address": "redis-cache.rides", "server.port": 6379}
    if hit is not None:
        d["cache.hit"] = hit
    return d


def ride():
    t = T("4bf92f3577b34da6a3ce929d0e0e4736", 7, 1763647392104000)
    root = t.span("api-gateway", "POST /v1/rides", 0, 812.4, kind="server",
                  tags=dict(http_server("POST", "/v1/rides", 201, "api.ridehail.example"), **{"user_agent.original": "RideHail/5.12.0 (iOS 18.1)", "client.address": "203.0.113.41", "enduser.id": "rider-88412"}),
                  logs=[(0.4, {"event": "request.received"}), (812.1, {"event": "response.sent", "http.response.body.size": "412"})], proc_tags={"ns": "edge"})
    auth = t.span("api-gateway", "auth.VerifyToken", 1.1, 6.8, root, "client", grpc("auth.v1.Auth", "VerifyToken"), proc_tags={"ns": "edge"})
    a2 = t.span("auth", "auth.v1.Auth/VerifyToken", 1.9, 5.2, auth, "server", grpc("auth.v1.Auth", "VerifyToken"), proc_tags={"lang": "java"})
    t.span("auth", "GET session", 2.4, 1.1, a2, "client", redis("GET", "session:rider-88412", True), proc_tags={"lang": "java"})
    t.span("auth", "jwt.verify", 3.7, 2.9, a2, "internal", {"jwt.alg": "ES256"}, proc_tags={"lang": "java"})
    t.span("api-gateway", "rate_limit.check", 8.2, 0.9, root, "internal", redis("INCR", "rl:rider-88412"), proc_tags={"ns": "edge"})
    dcall = t.span("api-gateway", "dispatch.RequestRide", 9.6, 798.3, root, "client", grpc("dispatch.v2.Dispatch", "RequestRide"), proc_tags={"ns": "edge"})
    d = t.span("dispatch", "dispatch.v2.Dispatch/RequestRide", 10.4, 796.1, dcall, "server",
               dict(grpc("dispatch.v2.Dispatch", "RequestRide"), **{"ride.zone": "sf-soma", "ride.surge_active": True}),
               logs=[(11.0, {"event": "zone.resolved", "zone": "sf-soma"}), (640.8, {"event": "candidates.ranked", "count": "8"})])
    t.span("dispatch", "GET zone:sf-soma", 11.2, 0.8, d, "client", redis("GET", "zone:sf-soma", True))
    # Surge pricing runs in parallel with the nearby-driver search.
    pc = t.span("dispatch", "pricing.GetSurge", 12.3, 38.5, d, "client", grpc("pricing.v1.Pricing", "GetSurge"))
    p = t.span("pricing", "pricing.v1.Pricing/GetSurge", 13.1, 36.8, pc, "server", grpc("pricing.v1.Pricing", "GetSurge"), proc_tags={"lang": "python"})
    t.span("pricing", "GET surge:sf-soma", 13.6, 1.4, p, "client", redis("GET", "surge:sf-soma", False), proc_tags={"lang": "python"})
    t.span("pricing", "SELECT demand_snapshots", 15.4, 21.7, p, "client", pg("SELECT zone, riders, drivers FROM demand_snapshots WHERE zone = $1 AND ts > now() - interval '5 min'", "demand_snapshots", 12), proc_tags={"lang": "python"})
    t.span("pricing", "surge.model.predict", 37.6, 9.9, p, "internal", {"model.name": "surge-gbm", "model.version": "2026-11-02"}, proc_tags={"lang": "python"})
    t.span("pricing", "SET surge:sf-soma", 47.8, 1.2, p, "client", redis("SET", "surge:sf-soma"), proc_tags={"lang": "python"})
    gc = t.span("dispatch", "GET /v1/nearby", 12.0, 626.4, d, "client", http_client("GET", "http://geo-index.rides/v1/nearby?zone=sf-soma&radius=1500", 200))
    g = t.span("geo-index", "GET /v1/nearby", 13.2, 623.9, gc, "server", http_server("GET", "/v1/nearby", 200, "geo-index.rides"), proc_tags={"lang": "rust"},
               logs=[(14.0, {"event": "cache.miss", "key": "cells:sf-soma:1500"})])
    t.span("geo-index", "GET cells:sf-soma:1500", 13.6, 0.9, g, "client", redis("GET", "cells:sf-soma:1500", False), proc_tags={"lang": "rust"})
    t.span("geo-index", "h3.cover", 14.8, 3.1, g, "internal", {"h3.resolution": 9, "h3.cells": 37}, proc_tags={"lang": "rust"})
    t.span("geo-index", "pool.acquire", 18.1, 41.7, g, "internal", {"db.client.connection.pool.name": "geo-ro", "db.client.connection.state": "waiting"}, proc_tags={"lang": "rust"})
    t.span("geo-index", "SELECT drivers", 60.2, 540.3, g, "client",
           pg("SELECT d.id, d.lat, d.lng, d.vehicle FROM drivers d WHERE d.h3_cell = ANY($1) AND d.status = 'available' ORDER BY d.last_ping DESC", "drivers", 214),
           logs=[(60.3, {"event": "query.sent"}), (599.8, {"event": "rows.received", "rows": "214"})], proc_tags={"lang": "rust"})
    t.span("geo-index", "filter.available", 601.1, 22.6, g, "internal", {"drivers.in": 214, "drivers.out": 8}, proc_tags={"lang": "rust"})
    t.span("geo-index", "SET cells:sf-soma:1500", 624.3, 1.3, g, "client", redis("SET", "cells:sf-soma:1500"), proc_tags={"lang": "rust"})
    t.span("geo-index", "serialize.response", 626.0, 10.4, g, "internal", {"http.response.body.size": 18244}, proc_tags={"lang": "rust"})
    # ETA for each candidate, in parallel.
    eta_start = 639.2
    for k in range(8):
        s0 = eta_start + k * 0.35
        dur = [14.2, 11.8, 19.6, 12.9, 16.3, 10.7, 13.4, 17.1][k]
        ec = t.span("dispatch", "routing.ComputeETA", s0, dur, d, "client", dict(grpc("routing.v1.Routing", "ComputeETA"), **{"driver.id": "drv-%04d" % (3100 + k * 37)}))
        es = t.span("routing", "routing.v1.Routing/ComputeETA", s0 + 0.6, dur - 1.2, ec, "server", grpc("routing.v1.Routing", "ComputeETA"), proc_tags={"lang": "go"})
        t.span("routing", "GET tiles", s0 + 0.9, 0.6 + (k % 3) * 0.3, es, "client", redis("MGET", "tile:9q8yy:%d" % k, k != 2), proc_tags={"lang": "go"})
    t.span("dispatch", "rank.candidates", 659.4, 6.2, d, "internal", {"candidates": 8, "ranker": "eta+rating"})
    tc = t.span("dispatch", "trip.CreateTrip", 666.1, 128.7, d, "client", grpc("trip.v1.Trip", "CreateTrip"))
    tr = t.span("trip", "trip.v1.Trip/CreateTrip", 667.0, 126.9, tc, "server", grpc("trip.v1.Trip", "CreateTrip"), proc_tags={"lang": "java"})
    t.span("trip", "BEGIN", 667.6, 1.1, tr, "client", pg("BEGIN", "trips"), proc_tags={"lang": "java"})
    t.span("trip", "INSERT trips", 668.9, 38.4, tr, "client", pg("INSERT INTO trips (id, rider_id, driver_id, zone, quoted_fare) VALUES ($1, $2, $3, $4, $5)", "trips", 1), proc_tags={"lang": "java"})
    t.span("trip", "UPDATE drivers", 707.6, 29.8, tr, "client", pg("UPDATE drivers SET status = 'assigned', trip_id = $1 WHERE id = $2 AND status = 'available'", "drivers", 1), proc_tags={"lang": "java"})
    t.span("trip", "COMMIT", 737.7, 18.9, tr, "client", pg("COMMIT", "trips"), proc_tags={"lang": "java"})
    t.span("trip", "trip.created publish", 757.1, 33.6, tr, "producer",
           {"messaging.system": "kafka", "messaging.destination.name": "trip.created", "messaging.operation": "publish", "messaging.kafka.destination.partition": 7}, proc_tags={"lang": "java"})
    nc = t.span("dispatch", "notify.PushDriver", 795.3, 9.6, d, "client", grpc("notify.v1.Notify", "PushDriver"))
    ns = t.span("notify", "notify.v1.Notify/PushDriver", 796.0, 8.2, nc, "server", grpc("notify.v1.Notify", "PushDriver"), proc_tags={"lang": "node"})
    t.span("notify", "POST fcm send", 796.6, 7.1, ns, "client", http_client("POST", "https://fcm.googleapis.com/v1/projects/ridehail/messages:send", 200), proc_tags={"lang": "node"})
    t.span("api-gateway", "serialize.response", 808.3, 3.4, root, "internal", {"http.response.body.size": 412}, proc_tags={"ns": "edge"})
    t.write("ride-request.json")


def charge():
    t = T("d2f7a8c40e1b4f6a9c3b5e7d1f2a4c6e", 11, 1763650811520000)
    root = t.span("payments-gateway", "POST /v1/charges", 0, 1184.6, kind="server",
                  tags=dict(http_server("POST", "/v1/charges", 201, "pay.example.com"), **{"idempotency_key": "ch_req_7Qx2", "merchant.id": "m_4417"}),
                  logs=[(0.2, {"event": "request.received"})], proc_tags={"ns": "payments", "lang": "java"})
    t.span("payments-gateway", "validate.request", 0.8, 2.3, root, "internal", {"charge.currency": "EUR", "charge.amount_minor": 4599}, proc_tags={"ns": "payments", "lang": "java"})
    t.span("payments-gateway", "GET idem:ch_req_7Qx2", 3.4, 1.0, root, "client", redis("GET", "idem:ch_req_7Qx2", False), proc_tags={"ns": "payments", "lang": "java"})
    fc = t.span("payments-gateway", "fraud.Score", 4.9, 143.6, root, "client", grpc("fraud.v3.Fraud", "Score"), proc_tags={"ns": "payments", "lang": "java"})
    f = t.span("fraud-check", "fraud.v3.Fraud/Score", 5.8, 141.7, fc, "server", grpc("fraud.v3.Fraud", "Score"), proc_tags={"ns": "payments", "lang": "python"})
    t.span("fraud-check", "SELECT card_history", 6.4, 34.2, f, "client", dict(pg("SELECT * FROM card_history WHERE card_fingerprint = $1 ORDER BY ts DESC LIMIT 50", "card_history", 50), **{"db.name": "fraud"}), proc_tags={"ns": "payments", "lang": "python"})
    t.span("fraud-check", "features.build", 41.0, 18.3, f, "internal", {"features.count": 212}, proc_tags={"ns": "payments", "lang": "python"})
    t.span("fraud-check", "model.predict", 59.6, 84.1, f, "internal", {"model.name": "fraud-xgb", "model.version": "v41", "fraud.score": 0.031, "fraud.decision": "allow"}, proc_tags={"ns": "payments", "lang": "python"})
    # Card network authorisation: the first attempt times out (the error span), the retry succeeds.
    ac = t.span("payments-gateway", "card-network.Authorize", 149.3, 812.4, root, "client", grpc("acquirer.v1.Acquirer", "Authorize"), proc_tags={"ns": "payments", "lang": "java"})
    a = t.span("acquirer-adapter", "acquirer.v1.Acquirer/Authorize", 150.1, 810.6, ac, "server", grpc("acquirer.v1.Acquirer", "Authorize"), proc_tags={"ns": "payments", "lang": "go"})
    t.span("acquirer-adapter", "POST /authorizations", 150.9, 500.2, a, "client", dict(http_client("POST", "https://api.visa-sandbox.example/v2/authorizations", 504), **{"http.request.resend_count": 0, "error.type": "504"}),
           logs=[(651.0, {"event": "exception", "exception.type": "UpstreamTimeout", "exception.message": "acquirer did not answer within 500ms (504 Gateway Timeout)"})], error=True, proc_tags={"ns": "payments", "lang": "go"})
    t.span("acquirer-adapter", "backoff", 651.3, 50.0, a, "internal", {"retry.attempt": 1, "retry.delay_ms": 50}, proc_tags={"ns": "payments", "lang": "go"})
    t.span("acquirer-adapter", "POST /authorizations", 701.5, 258.3, a, "client", dict(http_client("POST", "https://api.visa-sandbox.example/v2/authorizations", 201), **{"http.request.resend_count": 1, "acquirer.auth_code": "A71K2Q"}), proc_tags={"ns": "payments", "lang": "go"})
    lc = t.span("payments-gateway", "ledger.WriteEntry", 963.0, 196.2, root, "client", grpc("ledger.v2.Ledger", "WriteEntry"), proc_tags={"ns": "payments", "lang": "java"})
    l = t.span("ledger", "ledger.v2.Ledger/WriteEntry", 963.9, 194.5, lc, "server", grpc("ledger.v2.Ledger", "WriteEntry"), proc_tags={"ns": "payments", "lang": "go"})
    t.span("ledger", "BEGIN", 964.5, 0.9, l, "client", dict(pg("BEGIN", "entries"), **{"db.name": "ledger"}), proc_tags={"ns": "payments", "lang": "go"})
    t.span("ledger", "INSERT entries", 965.7, 71.6, l, "client", dict(pg("INSERT INTO entries (account, amount_minor, currency, charge_id) VALUES ($1,$2,$3,$4),($5,$6,$7,$8)", "entries", 2), **{"db.name": "ledger"}), proc_tags={"ns": "payments", "lang": "go"})
    t.span("ledger", "UPDATE balances", 1037.6, 88.2, l, "client", dict(pg("UPDATE balances SET available_minor = available_minor + $1 WHERE account = $2", "balances", 1), **{"db.name": "ledger"}), proc_tags={"ns": "payments", "lang": "go"})
    t.span("ledger", "COMMIT", 1126.1, 31.4, l, "client", dict(pg("COMMIT", "entries"), **{"db.name": "ledger"}), proc_tags={"ns": "payments", "lang": "go"})
    t.span("payments-gateway", "SET idem:ch_req_7Qx2", 1160.1, 1.6, root, "client", redis("SET", "idem:ch_req_7Qx2"), proc_tags={"ns": "payments", "lang": "java"})
    pub = t.span("payments-gateway", "charge.succeeded publish", 1162.3, 14.8, root, "producer",
                 {"messaging.system": "kafka", "messaging.destination.name": "charge.events", "messaging.operation": "publish"}, proc_tags={"ns": "payments", "lang": "java"})
    t.span("payments-gateway", "serialize.response", 1178.0, 5.9, root, "internal", {"http.response.body.size": 733}, proc_tags={"ns": "payments", "lang": "java"})
    # The webhook is delivered after the response, linked by FOLLOWS_FROM.
    w = t.span("webhook-dispatcher", "charge.events process", 1190.4, 402.7, pub, "consumer",
               {"messaging.system": "kafka", "messaging.destination.name": "charge.events", "messaging.operation": "process", "messaging.kafka.consumer.group": "webhooks"}, ref="FOLLOWS_FROM", proc_tags={"ns": "payments", "lang": "node"})
    t.span("webhook-dispatcher", "SELECT endpoints", 1191.2, 6.4, w, "client", dict(pg("SELECT url, secret FROM endpoints WHERE merchant_id = $1 AND event = $2", "endpoints", 1), **{"db.name": "webhooks"}), proc_tags={"ns": "payments", "lang": "node"})
    t.span("webhook-dispatcher", "hmac.sign", 1197.9, 0.7, w, "internal", {"signature.alg": "HMAC-SHA256"}, proc_tags={"ns": "payments", "lang": "node"})
    t.span("webhook-dispatcher", "POST merchant webhook", 1198.9, 392.8, w, "client", http_client("POST", "https://shop.example.org/hooks/payments", 200), proc_tags={"ns": "payments", "lang": "node"})
    t.write("card-charge.json")


if __name__ == "__main__":
    ride()
    charge()
