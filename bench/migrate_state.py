"""What ``migrate`` on an empty database spends in Django's migration state, without a database.

Per migration and per operation type: the seconds of ``state_forwards`` and the models rendered, as the
executor does it (``state.apps`` rendered first, then each operation reloads what it touches). Run:
``.venv/bin/python -m bench.migrate_state [N slowest]`` (nothing is read from the database).
"""

import os
import sys
import time
from collections import Counter, defaultdict


def main(slowest: int = 15) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
    os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
    import django

    django.setup()
    from django.db.migrations import state as migration_state
    from django.db.migrations.loader import MigrationLoader

    renders = [0]
    render = migration_state.ModelState.render

    def counted_render(self, apps):
        renders[0] += 1
        return render(self, apps)

    migration_state.ModelState.render = counted_render

    loader = MigrationLoader(None)
    full_plan, seen = [], set()
    for target in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(target):
            if node not in seen:
                seen.add(node)
                full_plan.append(node)
    state = migration_state.ProjectState(real_apps=loader.unmigrated_apps)
    _ = state.apps  # the executor renders everything before the first migration
    per_migration, seconds, rendered = [], defaultdict(float), Counter()
    started = time.perf_counter()
    for key in full_plan:
        migration = loader.graph.nodes[key]
        t0, r0 = time.perf_counter(), renders[0]
        for op in migration.operations:
            t1, r1 = time.perf_counter(), renders[0]
            state.clone()  # as Migration.apply does before each operation
            op.state_forwards(migration.app_label, state)
            if type(op).__name__ == "RunPython":
                _ = state.apps  # RunPython hands its code the rendered apps
            seconds[type(op).__name__] += time.perf_counter() - t1
            rendered[type(op).__name__] += renders[0] - r1
        per_migration.append(
            (time.perf_counter() - t0, renders[0] - r0, len(migration.operations), f"{key[0]}.{key[1]}")
        )
    total = time.perf_counter() - started
    operations = sum(x[2] for x in per_migration)
    print(f"{len(full_plan)} migrations, {operations} operations, {renders[0]} model renders, {total:.1f} s")
    print("by operation type (s, renders):")
    for name, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {name:24s} {s:7.1f} s {rendered[name]:7d}")
    print("slowest migrations (s, renders, operations):")
    for s, r, n, key in sorted(per_migration, reverse=True)[:slowest]:
        print(f"  {s:6.1f} s {r:6d} {n:4d}  {key}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
