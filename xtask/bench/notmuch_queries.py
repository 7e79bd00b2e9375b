"""Times notmuch's answer to each query of the search benchmark, in process
(the notmuch2 bindings), the way `tresor search --repeat` times Tresor's:
the total count plus the first 50 hits' ids, newest first; the first round
warms the caches and is not counted.

usage: notmuch_queries.py DATABASE_DIR ROUNDS QUERY...
prints one JSON object per query: {"query": ..., "total": n, "ms": [...]}
"""
import json
import sys
import time

import notmuch2

database_dir, rounds, queries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with notmuch2.Database(database_dir, mode=notmuch2.Database.MODE.READ_ONLY) as db:
    for query in queries:
        times = []
        total = 0
        for round in range(rounds + 1):
            started = time.perf_counter()
            total = db.count_messages(query)
            hits = []
            for message in db.messages(query, sort=notmuch2.Database.SORT.NEWEST_FIRST):
                hits.append(message.messageid)
                if len(hits) == 50:
                    break
            elapsed = (time.perf_counter() - started) * 1000
            if round > 0:
                times.append(elapsed)
        print(json.dumps({"query": query, "total": total, "ms": times}), flush=True)
