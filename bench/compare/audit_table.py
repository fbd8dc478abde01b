"""The audit scripts' shared table (families_audit, linear_audit, mixtures_audit): one markdown row per check, the
count of discrepancies, and an exit code of 1 where there is any."""
import numpy as np

rows, bad = [], 0


def report(case, check, ok, ours, ref, note=""):
    global bad
    bad += 0 if ok else 1
    rows.append(f"| {case} | {check} | {'ok' if ok else '**DIFF**'} | {ours} | {ref} | {note} |")


def rel(a, b):
    """The largest relative difference of a from b, element by element (scalars or arrays)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def finish():
    print("\n".join(rows))
    print(f"\n{bad} discrepancies")
    raise SystemExit(1 if bad else 0)
