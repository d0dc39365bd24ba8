"""The rows of two databases, table by table: ``python -m bench.compare_databases DB_A DB_B``.

Without what differs between any two runs: timestamps, uuids, the audit chain's hashes (they hash the
timestamps) and the ids of content types and permissions (numbered by post_migrate in model order;
compared by app label and model, and by codename, instead)."""

import sys

import psycopg2
import psycopg2.extras


def rows(db):
    c = psycopg2.connect(f"host=127.0.0.1 user=postgres dbname={db}").cursor(
        cursor_factory=psycopg2.extras.RealDictCursor
    )
    c.execute("select id, app_label||'.'||model as m from django_content_type")
    ct = {r["id"]: r["m"] for r in c.fetchall()}
    c.execute("select id, codename from auth_permission")
    perm = {r["id"]: r["codename"] for r in c.fetchall()}
    c.execute("""select table_name, column_name, data_type from information_schema.columns
                 where table_schema='public' order by table_name, ordinal_position""")
    cols = {}
    for r in c.fetchall():
        cols.setdefault(r["table_name"], []).append((r["column_name"], r["data_type"]))
    out = {}
    for t, cs in cols.items():
        if t in ("django_migrations",):
            continue
        c.execute(f'select * from "{t}"')  # noqa: S608 - table names from information_schema
        got = []
        for r in c.fetchall():
            d = {}
            for name, typ in cs:
                v = r[name]
                if typ.startswith("timestamp") or typ == "uuid" or name in ("hash", "audit_hash", "digest"):
                    v = "<volatile>" if v is not None else None
                elif (t == "django_content_type" and name == "id") or name == "content_type_id":
                    v = ct.get(v, v)
                elif (t == "auth_permission" and name == "id") or name == "permission_id":
                    v = perm.get(v, v)
                d[name] = v
            got.append(repr(sorted(d.items())))
        out[t] = sorted(got)
    return out


a, b = rows(sys.argv[1]), rows(sys.argv[2])
diff = 0
for t in sorted(set(a) | set(b)):
    if a.get(t) != b.get(t):
        diff += 1
        print("DIFF", t, len(a.get(t, [])), len(b.get(t, [])))
        for x in sorted(set(a.get(t, [])) ^ set(b.get(t, [])))[:4]:
            print("   ", x[:300])
print(
    f"{len(a)} / {len(b)} tables, {sum(map(len, a.values()))} / {sum(map(len, b.values()))} rows, {diff} tables differ"
)
