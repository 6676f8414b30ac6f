#!/usr/bin/env python3
"""CPU of every thread of a bevara command, by category, from a `perf record` profile (real CPU samples: kernel,
V8's background threads and native code included, which V8's own --cpu-prof does not see).

    perf record -F 999 -o run.data -- node --perf-basic-prof dist/cli/main.js <bevara args...>
    scripts/bench/perf-categories.py run.data [seconds-to-split]

Prints each category's share of the samples and, given the run's CPU seconds (user + sys) or, by default, the
sample count at 999 Hz, its seconds. Categories are matched on the symbol and its object, first match wins.
"""
import re
import subprocess
import sys

RULES = [
    ('SHA-256', r'sha256_block'),
    ('CRC-32', r'crc32'),
    ('SQLite', r'sqlite3|better_sqlite'),
    ('garbage collection', r'Marking|Sweep|Scaveng|MarkCompact|MemoryChunk|Heap::|HeapObject|Evacuat|Worklist'
     r'|Compactor|RememberedSet|SlotSet|IteratePointers|Minor'),
    ('V8 compiler (JIT)', r'compiler::|Maglev|maglev|Scanner|Parser|Bytecode|interpreter::|Compile'),
    ('kernel', r'\[k\]'),
    ('memcpy, memset', r'memmove|memcpy|memset'),
    ('malloc, free', r'malloc|_int_free|sysmalloc|cfree|tcache'),
    ('JavaScript (JIT code, builtins)', r'\[JIT\]|Builtins_|LoadIC|StoreIC|JS:'),
]
OTHER = 'V8 runtime, Node, libuv (other native)'


def main():
    data = sys.argv[1]
    report = subprocess.run(['perf', 'report', '-i', data, '--sort', 'dso,sym', '--stdio', '--no-children'],
                            capture_output=True, text=True, check=True).stdout
    samples = int(subprocess.run(['perf', 'script', '-i', data, '-F', 'tid'], capture_output=True, text=True,
                                 check=True).stdout.count('\n'))
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else samples / 999
    shares = {}
    for line in report.splitlines():
        m = re.match(r'\s+([\d.]+)%\s+(.*)', line)
        if not m:
            continue
        name = next((n for n, rx in RULES if re.search(rx, m.group(2))), OTHER)
        shares[name] = shares.get(name, 0.0) + float(m.group(1))
    print(f'{samples} samples, {seconds:.2f} CPU s split')
    for name, pct in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f'{pct:6.1f} %  {pct * seconds / 100:7.2f} s  {name}')


if __name__ == '__main__':
    main()
