#!/usr/bin/env python3
"""bench/heap-owners.py HEAP.hprof [TOP] — what holds a JVM's live heap, from a heap dump.

Reads an HPROF dump (jcmd PID GC.heap_dump FILE; bench/memory.sh writes one with NMT=1 HEAP_DUMP=1
KEEP=1), builds the object graph and its dominator tree (an object retains what only it keeps
alive), and prints:
  - the objects retaining the most, each with its class and, for a class, the class it is of: what
    static fields hold is retained by the class;
  - retained bytes summed by the package of each object's nearest dominating non-JDK object (the
    library that keeps the memory), so a cache, a parsed file or a jar's index shows up by owner.
Sizes are estimates for a 64-bit JVM with compressed oops and class pointers (12-byte headers,
4-byte references, 8-byte alignment), as GC.class_histogram counts them.
"""
import collections
import struct
import sys

BASIC = {4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}  # HPROF basic type -> bytes
PRIM_NAMES = {4: "boolean[]", 5: "char[]", 6: "float[]", 7: "double[]", 8: "byte[]", 9: "short[]",
              10: "int[]", 11: "long[]"}
JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")


def align(n):
    return (n + 7) & ~7


def parse(path):
    data = open(path, "rb").read()
    end = data.index(b"\0")
    id_size = struct.unpack_from(">I", data, end + 1)[0]
    if id_size != 8:
        sys.exit(f"heap-owners: {path}: {id_size}-byte identifiers; only 8-byte dumps (64-bit JVMs) are read")
    pos = end + 1 + 4 + 8
    strings, class_names = {}, {}
    classes = {}  # class id -> (super id, [field types], [(static ref ids)])
    objects = {}  # id -> [kind/class id, size, refs]
    roots = []
    rd = struct.unpack_from
    while pos < len(data):
        tag, _, length = rd(">BII", data, pos)
        pos += 9
        body_end = pos + length
        if tag == 0x01:
            strings[rd(">Q", data, pos)[0]] = data[pos + 8:body_end].decode("utf-8", "replace")
        elif tag == 0x02:
            _, cid, _, name_id = rd(">IQIQ", data, pos)
            class_names[cid] = strings.get(name_id, "?").replace("/", ".")
        elif tag in (0x0C, 0x1C):
            p = pos
            while p < body_end:
                sub = data[p]
                p += 1
                if sub == 0xFF or sub == 0x05 or sub == 0x07:
                    roots.append(rd(">Q", data, p)[0]); p += 8
                elif sub == 0x01:
                    roots.append(rd(">Q", data, p)[0]); p += 16
                elif sub in (0x02, 0x03, 0x08):
                    roots.append(rd(">Q", data, p)[0]); p += 16
                elif sub in (0x04, 0x06):
                    roots.append(rd(">Q", data, p)[0]); p += 12
                elif sub == 0x20:
                    cid, _, sup = rd(">QIQ", data, p); p += 8 + 4 + 8 * 6
                    p += 4  # instance size as the dump counts it
                    (ncp,) = rd(">H", data, p); p += 2
                    for _ in range(ncp):
                        t = data[p + 2]; p += 3
                        p += 8 if t == 2 else BASIC[t]
                    (ns,) = rd(">H", data, p); p += 2
                    static_refs, static_bytes = [], 0
                    for _ in range(ns):
                        t = data[p + 8]; p += 9
                        if t == 2:
                            static_refs.append(rd(">Q", data, p)[0]); p += 8; static_bytes += 4
                        else:
                            p += BASIC[t]; static_bytes += BASIC[t]
                    (nf,) = rd(">H", data, p); p += 2
                    fields = []
                    for _ in range(nf):
                        fields.append(data[p + 8]); p += 9
                    classes[cid] = (sup, fields)
                    objects[cid] = ["class", align(96 + static_bytes), static_refs + ([sup] if sup else [])]
                elif sub == 0x21:
                    oid, _, cid, n = rd(">QIQI", data, p); p += 24
                    objects[oid] = [cid, n, p]  # resolved below, once every class is known
                    p += n
                elif sub == 0x22:
                    oid, _, n, acid = rd(">QIIQ", data, p); p += 24
                    refs = [r for r in struct.unpack_from(">%dQ" % n, data, p) if r]
                    p += 8 * n
                    objects[oid] = [("array", acid), align(16 + 4 * n), refs]
                elif sub == 0x23:
                    oid, _, n, t = rd(">QIIB", data, p); p += 17
                    p += n * BASIC[t]
                    objects[oid] = [PRIM_NAMES[t], align(16 + n * BASIC[t]), []]
                else:
                    sys.exit(f"heap-owners: unknown heap dump sub-record 0x{sub:02x} at {p - 1}")
        pos = body_end

    layouts = {}

    def layout(cid):
        if cid not in layouts:
            chain, c = [], cid
            while c in classes:
                chain.append(classes[c][1]); c = classes[c][0]
            layouts[cid] = [t for fields in chain for t in fields]
        return layouts[cid]

    for oid, obj in objects.items():
        kind = obj[0]
        if isinstance(kind, int):
            p, refs, size = obj[2], [], 12
            for t in layout(kind):
                if t == 2:
                    r = rd(">Q", data, p)[0]; p += 8; size += 4
                    if r:
                        refs.append(r)
                else:
                    p += BASIC[t]; size += BASIC[t]
            obj[1], obj[2] = align(size), refs
    return objects, class_names, roots


def dominators(objects, roots):
    ids = list(objects)
    index = {oid: i + 1 for i, oid in enumerate(ids)}  # 0 is the virtual root
    n = len(ids) + 1
    succ = [[] for _ in range(n)]
    succ[0] = sorted({index[r] for r in roots if r in index} | {index[o] for o in ids if objects[o][0] == "class"})
    for oid in ids:
        succ[index[oid]] = [index[r] for r in objects[oid][2] if r in index]
    # reverse postorder by iterative DFS from the virtual root
    order, seen, stack = [], [False] * n, [(0, 0)]
    seen[0] = True
    while stack:
        v, i = stack[-1]
        if i < len(succ[v]):
            stack[-1] = (v, i + 1)
            w = succ[v][i]
            if not seen[w]:
                seen[w] = True
                stack.append((w, 0))
        else:
            stack.pop()
            order.append(v)
    order.reverse()
    rpo = [-1] * n
    for i, v in enumerate(order):
        rpo[v] = i
    preds = [[] for _ in range(n)]
    for v in order:
        for w in succ[v]:
            preds[w].append(v)
    idom = [-1] * n
    idom[0] = 0
    changed = True
    while changed:  # Cooper, Harvey and Kennedy's iteration
        changed = False
        for v in order[1:]:
            new = -1
            for p in preds[v]:
                if idom[p] == -1:
                    continue
                if new == -1:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while rpo[a] > rpo[b]:
                        a = idom[a]
                    while rpo[b] > rpo[a]:
                        b = idom[b]
                new = a
            if idom[v] != new:
                idom[v] = new
                changed = True
    return ids, order, idom


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    objects, class_names, roots = parse(path)
    ids, order, idom = dominators(objects, roots)

    def name(i):
        if i == 0:
            return "<roots>"
        oid = ids[i - 1]
        kind = objects[oid][0]
        if kind == "class":
            return "class " + class_names.get(oid, hex(oid))
        if isinstance(kind, tuple):
            return class_names.get(kind[1], "?") + " (array)"
        if isinstance(kind, str):
            return kind
        return class_names.get(kind, hex(kind))

    n = len(ids) + 1
    retained = [0] * n
    for i in range(1, n):
        if idom[i] != -1:
            retained[i] = objects[ids[i - 1]][1]
    for v in reversed(order[1:]):
        retained[idom[v]] += retained[v]
    total = retained[0]
    print(f"{path}: {n - 1} objects, {total / 1048576:.1f} MiB reachable (estimated)")
    print(f"\nthe {top} objects retaining the most (KiB retained, object, its dominator):")
    for i in sorted(range(1, n), key=lambda i: -retained[i])[:top]:
        print(f"  {retained[i] / 1024:9.1f}  {name(i)}  <- {name(idom[i])}")

    owner_cache = {}

    def owner(i):
        # The nearest dominator whose class is not the JDK's; what only the JDK or several roots keep
        # alive (interned strings, class mirrors) goes under the class of the object itself.
        path, first = [], i
        while i not in owner_cache:
            if i == 0:
                label = name(first).removeprefix("class ")
                owner_cache[first] = "shared or JDK: " + ("class mirrors and statics" if name(first).startswith("class ") else label)
                i = first
                break
            path.append(i)
            label = name(i).removeprefix("class ")
            if not label.startswith(JDK + ("[",)) and not label.endswith("[]") and label != "?":
                owner_cache[i] = ".".join(label.removesuffix(" (array)").split(".")[:3])
                break
            i = idom[i]
        result = owner_cache[i]
        for j in path:
            owner_cache[j] = result
        return result

    by_owner = collections.Counter()
    for i in range(1, n):
        if idom[i] != -1:
            by_owner[owner(i)] += objects[ids[i - 1]][1]
    print("\nretained by the nearest non-JDK dominator's package (KiB):")
    for key, size in by_owner.most_common(top):
        print(f"  {size / 1024:9.1f}  {key}")


if __name__ == "__main__":
    main()
