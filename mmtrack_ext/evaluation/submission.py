"""Packages for the evaluation servers of GOT-10k and TrackingNet, and a
checker that validates a package before it is uploaded.

Formats (:data:`SUBMISSION_FORMATS`):

- ``'got10k'`` (GOT-10k test server): a zip holding, for each of the 180
  test sequences, ``{seq}/{seq}_001.txt`` (optionally ``_002``, ``_003``
  ... for repeated runs of a stochastic tracker, numbered without gaps) and
  ``{seq}/{seq}_time.txt`` (seconds per frame, one a line); no other files
  or folders;
- ``'trackingnet'`` (TrackingNet test server): a zip holding ``{seq}.txt``
  for each of the 511 test sequences at the zip root; nothing else.

Box files have one line per frame, ``x,y,w,h`` separated by commas, finite
numbers. With the benchmark's ``data_root`` the sequence names are compared
with its test list (exactly, case included) and the line counts with the
number of frames; without it only the number of sequences (and GOT-10k's
name pattern) can be checked.
"""
import os
import os.path as osp
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

__all__ = [
    'SubmissionFormat', 'SUBMISSION_FORMATS', 'SubmissionReport',
    'SubmissionError', 'expected_test_sequences', 'check_submission',
    'pack_submission'
]

_FIELDS = re.compile(r'[,\s]+')


@dataclass(frozen=True)
class SubmissionFormat:
    """What a server expects.

    Attributes:
        name: benchmark name.
        num_sequences: number of test sequences.
        per_sequence_folder: ``{seq}/{seq}_001.txt`` (GOT-10k) instead of
            ``{seq}.txt`` at the root (TrackingNet).
        needs_times: ``{seq}/{seq}_time.txt`` is required.
        name_pattern: regular expression every sequence name matches.
        dataset: config of the test split's dataset (``data_root`` added).
    """
    name: str
    num_sequences: int
    per_sequence_folder: bool
    needs_times: bool
    name_pattern: Optional[str]
    dataset: dict


SUBMISSION_FORMATS: Dict[str, SubmissionFormat] = {
    'got10k': SubmissionFormat(
        'got10k', 180, True, True, r'GOT-10k_Test_\d{6}',
        dict(type='GOT10kDataset', split='test')),
    'trackingnet': SubmissionFormat(
        'trackingnet', 511, False, False, None,
        dict(type='TrackingNetDataset', split='test')),
}


@dataclass
class SubmissionReport:
    """Result of :func:`check_submission`.

    Attributes:
        benchmark: format name.
        path: the zip checked.
        sequences: sequence names found in the zip.
        problems: one message per problem, naming the sequence / file /
            line; empty when the package is valid.
    """
    benchmark: str
    path: str
    sequences: List[str] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, limit: int = 50) -> str:
        if self.ok:
            return (f'{self.path}: valid {self.benchmark} submission, '
                    f'{len(self.sequences)} sequences')
        lines = [f'{self.path}: {len(self.problems)} problems']
        lines += [f'  - {p}' for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f'  ... and {len(self.problems) - limit} more')
        return '\n'.join(lines)


class SubmissionError(ValueError):
    """A package (or the results to pack) is not valid; ``report`` holds the
    :class:`SubmissionReport`."""

    def __init__(self, report: SubmissionReport):
        super().__init__(report.summary())
        self.report = report


def _format(benchmark: str) -> SubmissionFormat:
    try:
        return SUBMISSION_FORMATS[benchmark]
    except KeyError:
        raise KeyError(f'no submission format for {benchmark!r}; known: '
                       f'{sorted(SUBMISSION_FORMATS)}') from None


def expected_test_sequences(benchmark: str, data_root: str) -> Dict[str, int]:
    """``{name: number of frames}`` of the test split under ``data_root``
    (GOT-10k: the folder holding ``test/``; TrackingNet: the one holding
    ``TEST/``)."""
    from mmtrack_ext.registry import DATASETS
    fmt = _format(benchmark)
    dataset = DATASETS.build(dict(fmt.dataset, data_root=data_root))
    return dict(zip(dataset.video_names, dataset.video_lengths.tolist()))


# ----------------------------------------------------------------------
# checking


def _check_box_text(text: str, where: str, problems: List[str],
                    limit: int = 5) -> int:
    """Check ``x,y,w,h`` lines; returns the number of box lines."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # trailing newlines are fine
    bad = []
    for no, line in enumerate(lines, 1):
        s = line.strip()
        fields = s.split(',')
        if not s:
            bad.append(f'line {no} is empty')
        elif len(fields) != 4:
            if len([p for p in _FIELDS.split(s) if p]) == 4:
                bad.append(f'line {no} is not comma separated: {s!r}')
            else:
                bad.append(f'line {no} has {len(fields)} comma-separated '
                           f'values, expected 4 (x,y,w,h): {s!r}')
        else:
            try:
                values = [float(v) for v in fields]
            except ValueError:
                bad.append(f'line {no} is not numeric: {s!r}')
                continue
            if not all(v == v and abs(v) != float('inf') for v in values):
                bad.append(f'line {no} is not finite: {s!r}')
        if len(bad) > limit:
            break
    for b in bad[:limit]:
        problems.append(f'{where}: {b}')
    if len(bad) > limit:
        problems.append(f'{where}: more malformed lines follow')
    return len(lines)


def _check_time_text(text: str, where: str, problems: List[str],
                     limit: int = 5) -> int:
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    bad = []
    for no, line in enumerate(lines, 1):
        s = line.strip()
        try:
            v = float(s)
            if not (v == v and 0 <= v < float('inf')):
                bad.append(f'line {no} is not a finite time >= 0: {s!r}')
        except ValueError:
            bad.append(f'line {no} is not one number: {s!r}')
        if len(bad) > limit:
            break
    for b in bad[:limit]:
        problems.append(f'{where}: {b}')
    return len(lines)


def _read_member(zf: zipfile.ZipFile, name: str, problems: List[str]):
    try:
        return zf.read(name).decode('utf-8')
    except UnicodeDecodeError:
        problems.append(f'{name}: not UTF-8 text')
    except (zipfile.BadZipFile, OSError, RuntimeError) as e:
        problems.append(f'{name}: cannot be read ({e})')
    return None


def _group_got10k(names: List[str], problems: List[str]):
    """``{seq: {'reps': {k: member}, 'time': member}}`` and stray names."""
    seqs: Dict[str, dict] = {}
    member = re.compile(r'^([^/]+)/([^/]+)$')
    for name in names:
        m = member.match(name)
        if m is None:
            depth = name.count('/')
            problems.append(
                f'{name}: not in the layout {{seq}}/{{seq}}_001.txt '
                + ('(extra folder level)' if depth > 1 else
                   '(files must be inside their sequence folder)'))
            continue
        seq, fn = m.groups()
        entry = seqs.setdefault(seq, dict(reps={}, time=None))
        rep = re.fullmatch(re.escape(seq) + r'_(\d{3})\.txt', fn)
        if rep:
            entry['reps'][int(rep.group(1))] = name
        elif fn == f'{seq}_time.txt':
            entry['time'] = name
        else:
            problems.append(f'{name}: stray file (expected {seq}_001.txt, '
                            f'{seq}_002.txt ... or {seq}_time.txt)')
    return seqs


def check_submission(benchmark: str,
                     zip_path: str,
                     data_root: Optional[str] = None,
                     expected: Optional[Dict[str, int]] = None
                     ) -> SubmissionReport:
    """Validate a server package.

    Args:
        benchmark: ``'got10k'`` or ``'trackingnet'``.
        zip_path: the package.
        data_root: the benchmark folder, to compare the sequence names and
            line counts with the test split (see
            :func:`expected_test_sequences`).
        expected: ``{name: frames}`` instead of ``data_root``.

    Returns:
        SubmissionReport: ``problems`` lists everything wrong by name.
    """
    fmt = _format(benchmark)
    report = SubmissionReport(benchmark, zip_path)
    problems = report.problems
    if expected is None and data_root is not None:
        expected = expected_test_sequences(benchmark, data_root)
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as e:
        problems.append(f'cannot open the zip: {e}')
        return report
    with zf:
        infos = zf.infolist()
        members = {}  # name inside the package -> name in the zip
        for info in infos:
            name = info.filename
            base = name.rstrip('/').rsplit('/', 1)[-1]
            if name.startswith('__MACOSX/') or base.startswith('.'):
                if not info.is_dir():
                    problems.append(f'{name}: stray file (hidden or macOS '
                                    'metadata)')
                continue
            members[name] = name
        tops = {n.split('/', 1)[0] for n in members}
        files = [n for n in members if not n.endswith('/')]
        if len(tops) == 1 and files and all('/' in n for n in files) and (
                not fmt.per_sequence_folder
                or all(n.count('/') > 1 for n in files)):
            top = next(iter(tops))
            problems.append(
                f'every file is inside the folder {top}/; the ' +
                ('sequence folders' if fmt.per_sequence_folder else
                 '{seq}.txt files') + ' must be at the zip root')
            members = {n[len(top) + 1:]: z for n, z in members.items()
                       if n[len(top) + 1:]}
        check = _check_got10k_members if fmt.per_sequence_folder else \
            _check_flat_members
        lengths = check(zf, members, problems)
    report.sequences = sorted(lengths)
    _check_sequence_set(fmt, lengths, expected, problems)
    return report


def _check_got10k_members(zf, members: Dict[str, str],
                          problems: List[str]) -> Dict[str, int]:
    for d in members:
        if d.endswith('/') and d.rstrip('/').count('/') > 0:
            problems.append(f'{d}: extra folder level')
    files = [n for n in members if not n.endswith('/')]
    lengths = {}
    for seq, entry in sorted(_group_got10k(files, problems).items()):
        reps = entry['reps']
        if 1 not in reps:
            problems.append(f'{seq}: no {seq}/{seq}_001.txt')
        if reps and sorted(reps) != list(range(1, len(reps) + 1)):
            problems.append(f'{seq}: repetitions {sorted(reps)} are not '
                            'numbered 001, 002, ... without gaps')
        counts = {}
        for k, member in sorted(reps.items()):
            text = _read_member(zf, members[member], problems)
            if text is not None:
                counts[member] = _check_box_text(text, member, problems)
        if entry['time'] is None:
            problems.append(f'{seq}: no {seq}/{seq}_time.txt (per-frame '
                            'times are part of a GOT-10k submission)')
        else:
            text = _read_member(zf, members[entry['time']], problems)
            if text is not None:
                counts[entry['time']] = _check_time_text(
                    text, entry['time'], problems)
        if len(set(counts.values())) > 1:
            problems.append(f'{seq}: files with different line counts: ' +
                            ', '.join(f'{k} {v}' for k, v in counts.items()))
        first = reps.get(1)
        lengths[seq] = counts.get(first, -1) if first is not None else -1
    return lengths


def _check_flat_members(zf, members: Dict[str, str],
                        problems: List[str]) -> Dict[str, int]:
    lengths = {}
    for name in sorted(members):
        if name.endswith('/'):
            problems.append(f'{name}: folder (the {{seq}}.txt files must be '
                            'at the zip root)')
        elif '/' in name:
            problems.append(f'{name}: inside a folder (the {{seq}}.txt files '
                            'must be at the zip root)')
        elif not name.endswith('.txt') or name.endswith('_time.txt'):
            problems.append(f'{name}: stray file (only {{seq}}.txt files)')
        else:
            text = _read_member(zf, members[name], problems)
            lengths[name[:-4]] = -1 if text is None else _check_box_text(
                text, name, problems)
    return lengths


def _check_sequence_set(fmt: SubmissionFormat, lengths: Dict[str, int],
                        expected: Optional[Dict[str, int]],
                        problems: List[str]) -> None:
    if expected is not None:
        missing = [n for n in expected if n not in lengths]
        extra = sorted(n for n in lengths if n not in expected)
        for n in missing:
            problems.append(f'{n}: missing (a test sequence without results)')
        for n in extra:
            lower = {e.lower(): e for e in expected}
            hint = (f' (did you mean {lower[n.lower()]}? names must match '
                    'exactly)' if n.lower() in lower else '')
            problems.append(f'{n}: not a test sequence{hint}')
        for n, count in sorted(lengths.items()):
            if n in expected and count >= 0 and count != expected[n]:
                problems.append(f'{n}: {count} lines for {expected[n]} '
                                'frames')
        return
    if len(lengths) != fmt.num_sequences:
        problems.append(f'{len(lengths)} sequences, the {fmt.name} test set '
                        f'has {fmt.num_sequences}')
    if fmt.name_pattern:
        for n in sorted(lengths):
            if not re.fullmatch(fmt.name_pattern, n):
                problems.append(f'{n}: not a {fmt.name} test sequence name '
                                f'({fmt.name_pattern})')


# ----------------------------------------------------------------------
# packing


def _normalised(path: str) -> str:
    """A result file's text with one comma-separated line per non-empty
    line (the numbers are kept as written)."""
    with open(path, 'r') as f:
        rows = [','.join(p for p in _FIELDS.split(line.strip()) if p)
                for line in f if line.strip()]
    return ''.join(r + '\n' for r in rows)


def _sequence_files(results: str, seq: str,
                    fmt: SubmissionFormat) -> List[Tuple[str, str]]:
    """``(source file, zip member)`` of one sequence, from either layout."""
    folder = osp.join(results, seq)
    flat = osp.join(results, f'{seq}.txt')
    flat_time = osp.join(results, f'{seq}_time.txt')
    out = []
    if fmt.per_sequence_folder:
        if osp.isdir(folder):
            for fn in sorted(os.listdir(folder)):
                if re.fullmatch(re.escape(seq) + r'_(\d{3}|time)\.txt', fn):
                    out.append((osp.join(folder, fn), f'{seq}/{fn}'))
        elif osp.isfile(flat):
            out.append((flat, f'{seq}/{seq}_001.txt'))
            if osp.isfile(flat_time):
                out.append((flat_time, f'{seq}/{seq}_time.txt'))
    else:
        if osp.isfile(flat):
            out.append((flat, f'{seq}.txt'))
        elif osp.isfile(osp.join(folder, f'{seq}_001.txt')):
            out.append((osp.join(folder, f'{seq}_001.txt'), f'{seq}.txt'))
    return out


def _result_sequences(results: str, fmt: SubmissionFormat) -> List[str]:
    names = set()
    for fn in os.listdir(results):
        path = osp.join(results, fn)
        if osp.isdir(path) and osp.isfile(osp.join(path, f'{fn}_001.txt')):
            names.add(fn)
        elif (osp.isfile(path) and fn.endswith('.txt')
              and not fn.endswith('_time.txt') and not fn.startswith('.')):
            names.add(fn[:-4])
    return sorted(names)


def pack_submission(benchmark: str,
                    results: str,
                    out: str,
                    data_root: Optional[str] = None) -> SubmissionReport:
    """Pack a results folder for a server and check the package.

    Reads the GOT-10k layout (``{seq}/{seq}_001.txt``, repetitions and
    ``{seq}_time.txt``) or the pytracking layout (``{seq}.txt``,
    ``{seq}_time.txt``) and writes the server's layout, each line rewritten
    comma separated (values unchanged). Other files of the folder are left
    out. The sequences are those of the test split when ``data_root`` is
    given (a missing one is a problem), otherwise those found.

    Returns:
        SubmissionReport: of the written package (valid).

    Raises:
        SubmissionError: the package would not be valid; nothing is written
            to ``out``.
    """
    fmt = _format(benchmark)
    if not osp.isdir(results):
        raise FileNotFoundError(f'results folder not found: {results}')
    expected = (expected_test_sequences(benchmark, data_root)
                if data_root is not None else None)
    names = list(expected) if expected is not None else \
        _result_sequences(results, fmt)
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.zip.tmp')
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as zf:
            for seq in names:
                for src, member in _sequence_files(results, seq, fmt):
                    zf.writestr(member, _normalised(src))
        report = check_submission(benchmark, tmp, expected=expected)
        report.path = out
        if not report.ok:
            raise SubmissionError(report)
        os.replace(tmp, out)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return report
