#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The ABI of each library: what its .so exports (nm -D), what its
version.map lists and what its installed headers declare must be the
same set of names. INTERNAL names (for the project's own tests) must be
declared in a header that is not installed.

Usage: abi_check.py --lib NAME SO MAP HEADER... [--lib ...]

Every failure names the symbol, the file to change and the change; see
doc/abi.rst.
"""

import os
import re
import subprocess
import sys


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def declarations(path):
    """(functions and variables declared, static inline names) in a header."""
    text = strip_comments(open(path, encoding='utf-8').read())
    text = re.sub(r'\\\n', ' ', text)
    # extern "C" { ... } for C++ wraps the whole header.
    text = re.sub(r'#\s*ifdef\s+__cplusplus\b.*?#\s*endif', ' ', text, flags=re.S)
    text = '\n'.join(l for l in text.split('\n')
                     if not l.lstrip().startswith('#'))
    # Top-level statements: brace bodies become {}; a function body ends
    # its statement.
    stmts, cur, depth = [], [], 0
    for ch in text:
        if ch == '{':
            if depth == 0:
                cur.append('{')
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                cur.append('}')
                head = ''.join(cur)[:-2].rstrip()
                if re.search(r'\)\s*(__\w+(\([^)]*\))?\s*)*$', head):
                    stmts.append(''.join(cur))
                    cur = []
        elif depth == 0:
            if ch == ';':
                stmts.append(''.join(cur))
                cur = []
            else:
                cur.append(ch)
    declared, inline = set(), set()
    for s in stmts:
        s = ' '.join(s.split())
        if not s or s.startswith('typedef') or s.startswith('extern "C"'):
            continue
        # The first NAME( that is not a function pointer's (*NAME)(.
        m = re.search(r'(?<!\(\*)(?<!\(\* )\b([A-Za-z_]\w*)\s*\(', s)
        if m is None:
            if s.startswith('extern '):
                v = re.search(r'\b([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$', s)
                if v:
                    declared.add(v.group(1))
            continue
        name = m.group(1)
        if re.match(r'__\w+$', name):  # an attribute such as __rte_unused
            rest = s[m.end():]
            m = re.search(r'\b([A-Za-z_]\w*)\s*\(', rest)
            if m is None:
                continue
            name = m.group(1)
        if re.search(r'\bstatic\b', s):
            inline.add(name)
        else:
            declared.add(name)
    return declared, inline


def version_map(path):
    """{section: [names]} of a GNU ld version script, and problems."""
    text = re.sub(r'#[^\n]*', ' ', open(path, encoding='utf-8').read())
    sections, problems = {}, []
    for m in re.finditer(r'([\w.]+)\s*\{(.*?)\}\s*[\w.]*\s*;', text, re.S):
        names, scope = [], 'global'
        for tok in re.split(r'[;\s]+', m.group(2)):
            if tok in ('global:', 'local:'):
                scope = tok[:-1]
            elif tok and scope == 'global':
                if re.search(r'[*?\[]', tok):
                    problems.append(f'{path}: section {m.group(1)}: wildcard '
                                    f"'{tok}'; list each name")
                names.append(tok)
            elif tok and tok != '*':
                problems.append(f"{path}: local '{tok}': only 'local: *;' is used")
        sections[m.group(1)] = names
    if not sections:
        problems.append(f'{path}: no version section found')
    return sections, problems


def exported(so):
    out = subprocess.run(['nm', '-D', '--defined-only', so], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3 and f[1] != 'A':
            names.add(f[2].split('@')[0])
    return names


def check(name, so, mapfile, headers):
    errors = []
    sections, errors_map = version_map(mapfile)
    errors += errors_map
    public, internal = set(), set()
    for sec, names in sections.items():
        (internal if sec == 'INTERNAL' else public).update(names)
    declared, where, inline = set(), {}, set()
    for h in headers:
        d, i = declarations(h)
        declared |= d
        inline |= i
        for n in d:
            where.setdefault(n, h)
    priv_dir = os.path.dirname(mapfile)
    private = {}
    for f in sorted(os.listdir(priv_dir)):
        p = os.path.join(priv_dir, f)
        if f.endswith('.h') and p not in headers:
            for n in declarations(p)[0]:
                private.setdefault(n, p)
    exp = exported(so)
    soname = os.path.basename(so)
    map_sec = next(iter(sections), 'XCHG_...')
    for n in sorted(declared - public - internal):
        errors.append(f"{n}: declared in {where[n]} but not listed in {mapfile}: "
                      f"add '{n};' to its {map_sec} section")
    for n in sorted(public - declared):
        hint = (f'it is declared in {private[n]}, which is not installed: move it to the INTERNAL section'
                if n in private else 'declare it in an installed header, or remove it from the map')
        errors.append(f'{n}: listed in {mapfile} but declared in no installed header of {name}: {hint}')
    for n in sorted(internal):
        if n in declared:
            errors.append(f'{n}: in the INTERNAL section of {mapfile} but declared in the installed {where[n]}: move it to {map_sec}')
        elif n not in private:
            errors.append(f'{n}: in the INTERNAL section of {mapfile} but declared in no header of {priv_dir}')
    for n in sorted((public | internal) - exp):
        errors.append(f'{n}: listed in {mapfile} but {soname} does not define it: remove it from the map, or define it')
    for n in sorted(exp - public - internal):
        errors.append(f'{n}: exported by {soname} but not listed in {mapfile} (does the map end with "local: *;"?)')
    for n in sorted(inline & exp):
        errors.append(f'{n}: static inline in a header and also exported by {soname}')
    print(f'{name}: {len(exp)} exported ({len(public)} public, {len(internal)} internal), '
          f'{len(declared)} declared in {len(headers)} installed headers: '
          f"{'ok' if not errors else str(len(errors)) + ' problem(s)'}")
    return errors


def main(argv):
    groups, cur = [], None
    for a in argv:
        if a == '--lib':
            cur = []
            groups.append(cur)
        elif cur is None:
            sys.exit('usage: abi_check.py --lib NAME SO MAP HEADER... [--lib ...]')
        else:
            cur.append(a)
    errors = []
    for g in groups:
        if len(g) < 4:
            sys.exit(f'--lib {" ".join(g)}: give NAME SO MAP HEADER...')
        errors += check(g[0], g[1], g[2], g[3:])
    for e in errors:
        print('FAIL ' + e)
    print(f'abi: {len(groups)} libraries, {len(errors)} problem(s)')
    return 1 if errors or not groups else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
