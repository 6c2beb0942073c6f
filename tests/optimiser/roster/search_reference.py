"""The local search's moves written the plain, slow way, as a reference for the fast passes.

This is the algorithm of :mod:`optimiser.roster.search` before its passes were made fast
(commit 5c70e0a): every candidate is tried by really moving the shift and checking the
rules with :meth:`_Search.rules_ok` (no cached answers), the fairness change is measured
by recomputing the spread, and the agents are re-sorted every time.  The fast passes
must give the same roster, move for move.
"""

from __future__ import annotations

import math

import numpy as np

from optimiser.roster.model import greedy_start
from optimiser.roster.search import _WEEK_NS, _Search


class ReferenceSearch(_Search):
    def can_take(self, i: int, q: int) -> bool:
        return self.rules_ok(i, q)

    def insert_pass(self) -> int:
        made = 0
        for q in np.flatnonzero(self.filled < self.count):
            for i in sorted(self.elig_q[q], key=self.score, reverse=True):
                if self.filled[q] >= self.count[q]:
                    break
                if i not in self.holders[q] and self.can_take(i, q):
                    self.add(i, q)
                    made += 1
        return made

    def eject_pass(self, deadline: float) -> int:
        made = 0
        for q in np.flatnonzero(self.filled < self.count):
            while self.filled[q] < self.count[q]:
                if not self._eject_one(q):
                    break
                made += 1
        return made

    def _takers(self, r: int) -> list:
        got = []
        for j in sorted(self.elig_q[r], key=self.score, reverse=True):
            if j not in self.holders[r] and self.can_take(j, r):
                got.append(j)
                if len(got) == 2:
                    break
        return got

    def _eject_one(self, q: int, takers=None) -> bool:
        sq = int(self.start[q])
        for i in sorted(self.elig_q[q], key=self.score, reverse=True):
            if i in self.holders[q]:
                continue
            near = sorted((r for r in self.st[i]["shifts"] if abs(int(self.start[r]) - sq) < _WEEK_NS),
                          key=lambda r: (abs(int(self.start[r]) - sq), r))
            for r in near:
                cands = self._takers(r)
                if not cands:
                    continue
                self.remove(i, r)
                if self.can_take(i, q):
                    self.add(i, q)
                    self.add(cands[0], r)
                    return True
                self.add(i, r)
        return False

    def transfer_pass(self, deadline: float) -> int:
        made = 0
        for q in range(len(self.sids)):
            cats = [(c, w) for c, w, _a, _b in self.fair if self.flags[c][q]]
            for i in sorted(self.holders[q]):
                d_i = self.soft_delta(i, q, -1)
                best = None
                for j in self.elig_q[q]:
                    if j in self.holders[q]:
                        continue
                    fair_bound = sum(2 * w for c, w in cats if self.cat_count[c][i] > self.cat_count[c][j] + 1)
                    soft = d_i + self.soft_delta(j, q, +1)
                    if soft - fair_bound > -1e-9 or (best is not None and soft - fair_bound >= best[0]):
                        continue
                    before = self.fairness() if cats else 0.0
                    self.remove(i, q)
                    if self.can_take(j, q):
                        self.add(j, q)
                        delta = soft + ((self.fairness() - before) if cats else 0.0)
                        self.remove(j, q)
                        if delta < -1e-9 and (best is None or delta < best[0]):
                            best = (delta, j)
                    self.add(i, q)
                if best is not None:
                    self.remove(i, q)
                    self.add(best[1], q)
                    made += 1
        return made


def reference_search(m, start: dict | None = None) -> tuple[set, float, dict]:
    """The roster, objective and move counts of the reference (no time limit)."""
    s = ReferenceSearch(m)
    for aid, sid in (start if start is not None else greedy_start(m)):
        s.add(s.idx[aid], s.pos_of[sid])
    moves = {"insert": 0, "eject": 0, "transfer": 0}
    while True:
        before = s.objective()
        moves["insert"] += s.insert_pass()
        moves["eject"] += s.eject_pass(math.inf)
        moves["transfer"] += s.transfer_pass(math.inf)
        if s.objective() > before - 1e-6:
            break
    assignment = {(s.aids[i], s.sids[q]) for q in range(len(s.sids)) for i in s.holders[q]}
    return assignment, s.objective(), moves
