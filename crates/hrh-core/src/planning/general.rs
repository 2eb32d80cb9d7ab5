//! The general step: one projected year of every region and cadre of a group that the
//! one-pass step does not take (cadres with training, promotions, hiring into vacancies or
//! entrants at a named grade, regions linked by migration, binomial flows), one function
//! per stage of the year, in the order of [`supply`](super::supply):
//!
//! 1. [`General::leave`]: deaths, then attrition;
//! 2. [`General::promote`], then [`General::send_to_training`];
//! 3. [`General::migrate`] (all regions of the group at once);
//! 4. [`General::age_and_retire`], [`General::return_from_training`];
//! 5. [`General::hire`]; then [`General::close`] writes the year's supply, demand and
//!    costs.
//!
//! The stock before the year is in `cur`; stages 1-2 write the survivors to `mid`,
//! migration moves them back into `cur`, and stages 4-5 build the new stock in `mid`
//! (the caller then swaps the two).

use super::costs::{cadre_costs, ByGrade, CadreYear, CostSink};
use super::flows::{
    F_ATTRITION, F_DEATHS, F_END, F_ENTRANTS, F_IN, F_IN_TRAINING, F_LOSSES, F_OUT, F_PROMOTIONS,
    F_RETIRE, F_RETURNS, F_START, F_TRAINING, NF,
};
use super::lanes::X;
use super::scenario::Cadre;
use super::supply::{bond_state, entrants, need, put_year, survive, Ctx, Flow, Group, Out, Year};

/// This year's entrants of a region's cadre: (grade, number, age shares; None: all at
/// the youngest age).
pub(crate) type Planned<'c> = Option<(usize, X, Option<&'c [f64]>)>;

/// What the general step of a block reads and writes in one projected year.
pub(crate) struct General<'a, 'b> {
    pub cx: &'a Ctx<'a>,
    pub g: &'a Group,
    /// Parameter values of the block's draws.
    pub v: &'a [X],
    /// Policy settings in force this year.
    pub ys: &'a Year,
    /// Population by (region, year).
    pub pops: &'a [X],
    /// Hazards by (region, cadre, age), and with grade and policy multipliers by
    /// (region, cadre, grade, age).
    pub haz: &'a [X],
    pub hzt: &'a [X],
    pub cur: &'b mut Vec<X>,
    pub mid: &'b mut Vec<X>,
    pub pipes: &'b mut [X],
    pub start_grade: &'b mut [X],
    pub sent_p: &'b mut [X],
    pub returning: &'b mut [X],
    pub out_share: &'b mut [X],
    pub ent_factor: &'b mut [X],
    /// End stock, returns, trainees sent and entrants, by grade.
    pub by_grade: [&'b mut [X]; 4],
    /// Per (region, cadre): this year's buy-outs repaid by those who left during a bond.
    pub buyout: &'b mut [X],
    pub flows: &'b mut [f64],
    pub costs: &'b mut [f64],
    pub flow: &'b mut Flow,
    /// Lanes holding draws.
    pub valid: usize,
}

impl General<'_, '_> {
    /// Add a flow of the block's draws to the sum over earlier blocks.
    fn add(&mut self, i: usize, x: X) {
        self.flows[i] += x.sum_lanes(self.valid);
    }

    /// Where the flows of projected year `t`, local region `ri` and cadre `ci` start.
    fn frow(&self, t: usize, ri: usize, ci: usize) -> usize {
        let (k, nc) = (self.g.regions.len(), self.cx.m.cadres.len());
        ((t - 1) * k * nc + ri * nc + ci) * NF
    }

    /// First cell of local region `ri`'s cadre `c`.
    fn block(&self, ri: usize, c: &Cadre) -> usize {
        ri * self.cx.m.region_size + c.offset
    }

    /// Project year `t` of the cadres for which `general(ci)` holds, in every region.
    pub fn year(&mut self, out: &mut Out, t: usize, general: impl Fn(usize) -> bool) {
        let (k, nc) = (self.g.regions.len(), self.cx.m.cadres.len());
        for ri in 0..k {
            for ci in (0..nc).filter(|&ci| general(ci)) {
                self.leave(t, ri, ci);
                self.promote(t, ri, ci);
                self.send_to_training(t, ri, ci);
            }
        }
        self.migrate(t, &general);
        for ri in 0..k {
            for ci in (0..nc).filter(|&ci| general(ci)) {
                let c = &self.cx.m.cadres[ci];
                // Planned before ageing: binomial entrants draw first.
                let planned = self.plan_entrants(t, ri, ci, c);
                self.age_and_retire(t, ri, ci);
                let (training_cost, in_training) = self.return_from_training(t, ri, ci);
                self.hire(t, ri, ci, planned);
                self.close(out, t, ri, ci, training_cost, in_training);
            }
        }
    }

    /// 1. Deaths `N x death_rate`, then attrition `(N - deaths) x hazard` of each grade,
    ///    post-training state and age, from `cur` into `mid`.
    pub fn leave(&mut self, t: usize, ri: usize, ci: usize) {
        let (cx, v, ys) = (self.cx, self.v, self.ys);
        let m = cx.m;
        let (na, nc, gmax) = (m.n_ages, m.cadres.len(), cx.gmax);
        let k = self.g.regions.len();
        let c = &m.cadres[ci];
        let blk = self.block(ri, c);
        let ns = c.n_s;
        let pd = v[c.death];
        let expected = self.flow.rngs.is_none();
        let (mut start, mut deaths, mut leavers) = (X::ZERO, X::ZERO, X::ZERO);
        let retire = c.retire_idx;
        let haz = &self.haz[(ri * nc + ci) * na..(ri * nc + ci + 1) * na];
        let mut buyout = X::ZERO;
        for gi in 0..c.grades.len() {
            let gm = v[c.grade_mult[gi]] * ys.att_mult[(ci * k + ri) * gmax + gi];
            let hz = &self.hzt[((ri * nc + ci) * gmax + gi) * na..][..retire];
            for st in 0..ns {
                // Staff in a bond or after-bond year have the programme's rate.
                let fixed = bond_state(c, st).and_then(|(_, rate)| rate).map(|i| v[i]);
                let cell0 = blk + (gi * ns + st) * na;
                let src = &self.cur[cell0..cell0 + retire];
                let dst = &mut self.mid[cell0..cell0 + retire];
                let mut sums = [X::ZERO; 3];
                if expected {
                    match fixed {
                        Some(fx) => {
                            let hz = (fx * gm).min(X::ONE);
                            for (&n, out) in src.iter().zip(dst.iter_mut()) {
                                *out = survive(n, pd, hz, &mut sums);
                            }
                        }
                        None => {
                            for ((&n, out), &hz) in src.iter().zip(dst.iter_mut()).zip(hz) {
                                *out = survive(n, pd, hz, &mut sums);
                            }
                        }
                    }
                } else {
                    let [sn, sd, sl] = &mut sums;
                    for ((&n, out), &ha) in src.iter().zip(dst.iter_mut()).zip(&haz[..retire]) {
                        let hz = (fixed.unwrap_or(ha) * gm).min(X::ONE);
                        let d = self.flow.take(n, pd);
                        let l = self.flow.take(n - d, hz);
                        *sn += n;
                        *sd += d;
                        *sl += l;
                        *out = n - d - l;
                    }
                }
                let [sn, sd, sl] = sums;
                if let Some(p) = c
                    .programmes
                    .iter()
                    .find(|p| p.buyout != 0.0 && st >= p.s_offset && st < p.s_offset + p.bond)
                {
                    buyout += p.buyout * sl;
                }
                start += sn;
                deaths += sd;
                leavers += sl;
                let start_g = &mut self.start_grade[(ri * nc + ci) * gmax + gi];
                *start_g = if st == 0 { sn } else { *start_g + sn };
            }
        }
        self.buyout[ri * nc + ci] = buyout;
        let f = self.frow(t, ri, ci);
        self.add(f + F_START, start);
        self.add(f + F_DEATHS, deaths);
        self.add(f + F_ATTRITION, leavers);
    }

    /// 2a. Promotions: each moves its share of a grade's staff (before any promotion: a
    ///     copy in `cur`, free until migration) to another grade at the same age, the
    ///     shares out of a grade capped at 1.
    pub fn promote(&mut self, t: usize, ri: usize, ci: usize) {
        let (m, v) = (self.cx.m, self.v);
        let c = &m.cadres[ci];
        if c.promotions.is_empty() {
            return;
        }
        let (na, ns) = (m.n_ages, c.n_s);
        let blk = self.block(ri, c);
        let r = self.g.regions[ri];
        let size = c.size(na);
        self.cur[blk..blk + size].copy_from_slice(&self.mid[blk..blk + size]);
        let mut promoted = X::ZERO;
        for &(from, to, ref rate) in &c.promotions {
            let total = c
                .promotions
                .iter()
                .filter(|(f, _, _)| *f == from)
                .fold(X::ZERO, |a, (_, _, r2)| a + v[r2[r]]);
            let share = v[rate[r]] / total.zip(X::ONE, f64::max);
            let (src, dst) = (blk + from * ns * na, blk + to * ns * na);
            for i in 0..ns * na {
                let x = self
                    .flow
                    .take(self.cur[src + i], share)
                    .min(self.mid[src + i]);
                self.mid[src + i] -= x;
                self.mid[dst + i] += x;
                promoted += x;
            }
        }
        let f = self.frow(t, ri, ci);
        self.add(f + F_PROMOTIONS, promoted);
    }

    /// 2b. Training departures: each programme sends `min(places, eligible)` staff of its
    ///     grade and of eligible age, in proportion from every eligible cell; its cohorts
    ///     away move a year closer to coming back and a year older.
    pub fn send_to_training(&mut self, t: usize, ri: usize, ci: usize) {
        let (cx, ys) = (self.cx, self.ys);
        let m = cx.m;
        let c = &m.cadres[ci];
        let (na, nc, ns, k) = (m.n_ages, m.cadres.len(), c.n_s, self.g.regions.len());
        let (pmax, dmax) = (cx.pmax, cx.dmax);
        let blk = self.block(ri, c);
        let expected = self.flow.rngs.is_none();
        let mut sent_total = X::ZERO;
        for (pi, p) in c.programmes.iter().enumerate() {
            let slot = (ri * nc + ci) * pmax + pi;
            let mut eligible = X::ZERO;
            for st in 0..ns {
                let cell0 = blk + (p.from * ns + st) * na;
                eligible += X::sum(&self.mid[cell0..cell0 + p.max_age + 1]);
            }
            let places = ys.places[(ci * pmax + pi) * k + ri];
            let sent = self.flow.whole(places).min(eligible);
            let frac = sent.zip(eligible, |s, e| if e > 0.0 { s / e } else { 0.0 });
            // The cohort due back this year; the others move one year closer and one
            // year older; this year's trainees join at the back.
            let pipe = &mut self.pipes[slot * dmax * na..(slot * dmax + p.duration) * na];
            self.returning[slot * na..(slot + 1) * na].copy_from_slice(&pipe[..na]);
            for kk in 1..p.duration {
                for a in (0..na - 1).rev() {
                    pipe[(kk - 1) * na + a + 1] = pipe[kk * na + a];
                }
                pipe[(kk - 1) * na] = X::ZERO;
            }
            let last = (p.duration - 1) * na;
            pipe[last..].iter_mut().for_each(|x| *x = X::ZERO);
            let mut taken = X::ZERO;
            if frac.any_positive() {
                for st in 0..ns {
                    let cell0 = blk + (p.from * ns + st) * na;
                    for a in 0..=p.max_age {
                        let x = self.flow.take(self.mid[cell0 + a], frac);
                        self.mid[cell0 + a] -= x;
                        pipe[last + a + 1] += x;
                        taken += x;
                    }
                }
            }
            // Binomial draws send about `places` people; count those sent.
            let sent = if expected { sent } else { taken };
            sent_total += sent;
            self.sent_p[slot] = sent;
        }
        let f = self.frow(t, ri, ci);
        self.add(f + F_TRAINING, sent_total);
    }

    /// 3. Migration of the cadres `general` names, from `mid` into `cur` (reused as the
    ///    after-migration buffer): each flow moves its share of the origin's staff of each
    ///    grade (the policy multiplier may differ by grade), the shares leaving a region
    ///    capped at 1. Then `mid` is cleared for the new stock.
    pub fn migrate(&mut self, t: usize, general: &impl Fn(usize) -> bool) {
        let (cx, v, ys, g) = (self.cx, self.v, self.ys, self.g);
        let m = cx.m;
        let (na, rs, k, gmax) = (m.n_ages, m.region_size, g.regions.len(), cx.gmax);
        if g.migration.is_empty() {
            for ri in 0..k {
                for (_, c) in m.cadres.iter().enumerate().filter(|&(ci, _)| general(ci)) {
                    let cells = ri * rs + c.offset..ri * rs + c.offset + c.size(na);
                    self.cur[cells.clone()].copy_from_slice(&self.mid[cells.clone()]);
                    self.mid[cells].iter_mut().for_each(|x| *x = X::ZERO);
                }
            }
            return;
        }
        self.cur.copy_from_slice(self.mid);
        self.out_share.iter_mut().for_each(|x| *x = X::ZERO);
        for &(mi, lf, _) in &g.migration {
            let mg = &m.migration[mi];
            for (ci, c) in m.cadres.iter().enumerate() {
                if mg.cadre.is_none_or(|x| x == ci) {
                    for gi in 0..c.grades.len() {
                        let i = (ci * k + lf) * gmax + gi;
                        self.out_share[i] += v[mg.rate] * ys.mig_mult[i];
                    }
                }
            }
        }
        for &(mi, lf, lt) in &g.migration {
            let mg = &m.migration[mi];
            for (ci, c) in m.cadres.iter().enumerate() {
                if mg.cadre.is_some_and(|x| x != ci) {
                    continue;
                }
                let gsize = c.n_s * na;
                let mut moved = X::ZERO;
                let mut any = false;
                for gi in 0..c.grades.len() {
                    let i = (ci * k + lf) * gmax + gi;
                    let rate =
                        v[mg.rate] * ys.mig_mult[i] / self.out_share[i].zip(X::ONE, f64::max);
                    if rate.all_zero() {
                        continue;
                    }
                    any = true;
                    let from = lf * rs + c.offset + gi * gsize;
                    let to = lt * rs + c.offset + gi * gsize;
                    for i in 0..gsize {
                        // Several flows out of a cell never take more than is left in it.
                        let x = self
                            .flow
                            .take(self.mid[from + i], rate)
                            .min(self.cur[from + i]);
                        self.cur[from + i] -= x;
                        self.cur[to + i] += x;
                        moved += x;
                    }
                }
                if any {
                    let (out, into) = (self.frow(t, lf, ci), self.frow(t, lt, ci));
                    self.add(out + F_OUT, moved);
                    self.add(into + F_IN, moved);
                }
            }
        }
        self.mid.iter_mut().for_each(|x| *x = X::ZERO);
    }

    /// This year's planned entrants of local region `ri`'s cadre (with a policy's extras
    /// at the entrant grade), before any cap.
    fn plan_entrants<'c>(&mut self, t: usize, ri: usize, ci: usize, c: &'c Cadre) -> Planned<'c> {
        let (k, nc) = (self.g.regions.len(), self.cx.m.cadres.len());
        let extra = self.ys.extra[ci * k + ri];
        let r = self.g.regions[ri];
        entrants(
            c,
            self.v,
            r,
            t,
            extra,
            &mut self.ent_factor[ri * nc + ci],
            self.flow,
        )
    }

    /// 4a. Ageing by one year: staff of each grade and post-training state move to the
    ///     next age (and the next post-training state); those reaching the retirement age
    ///     retire.
    pub fn age_and_retire(&mut self, t: usize, ri: usize, ci: usize) {
        let m = self.cx.m;
        let c = &m.cadres[ci];
        let (na, ns) = (m.n_ages, c.n_s);
        let blk = self.block(ri, c);
        let last = c.retire_idx - 1;
        let mut retired = X::ZERO;
        for gi in 0..c.grades.len() {
            for st in 0..ns {
                let next = bond_state(c, st).map_or(0, |(next, _)| next);
                let src = blk + (gi * ns + st) * na;
                let dst = blk + (gi * ns + next) * na;
                for (out, &x) in self.mid[dst + 1..dst + 1 + last]
                    .iter_mut()
                    .zip(&self.cur[src..src + last])
                {
                    *out += x;
                }
                retired += self.cur[src + last];
            }
        }
        let f = self.frow(t, ri, ci);
        self.add(f + F_RETIRE, retired);
    }

    /// 4b. Returns from training: the cohort due back comes back at the programme's higher
    ///     grade (`return_rate`; the rest are lost). Returns the year's training cost and
    ///     the trainees away.
    pub fn return_from_training(&mut self, t: usize, ri: usize, ci: usize) -> (X, X) {
        let (cx, v) = (self.cx, self.v);
        let m = cx.m;
        let c = &m.cadres[ci];
        let (na, nc, ns, ng) = (m.n_ages, m.cadres.len(), c.n_s, c.grades.len());
        let (pmax, dmax) = (cx.pmax, cx.dmax);
        let blk = self.block(ri, c);
        let last = c.retire_idx - 1;
        let (mut returns, mut losses) = (X::ZERO, X::ZERO);
        let (mut training_cost, mut in_training) = (X::ZERO, X::ZERO);
        let [_, returns_by_grade, sent_by_grade, _] = &mut self.by_grade;
        returns_by_grade[..ng].fill(X::ZERO);
        sent_by_grade[..ng].fill(X::ZERO);
        for (pi, p) in c.programmes.iter().enumerate() {
            let slot = (ri * nc + ci) * pmax + pi;
            let sent = self.sent_p[slot];
            let returning = &self.returning[slot * na..(slot + 1) * na];
            let rr = v[p.return_rate];
            let s_ret = if p.bond + p.after_years > 0 {
                p.s_offset
            } else {
                0
            };
            let dst = blk + (p.to * ns + s_ret) * na;
            let (mut back, mut due) = (X::ZERO, X::ZERO);
            for (a, &x) in returning.iter().enumerate() {
                if x.all_zero() {
                    continue;
                }
                due += x;
                // Guaranteed below retirement by the max_age check.
                let kk = self.flow.take(x, rr);
                self.mid[dst + (a + 1).min(last)] += kk;
                back += kk;
            }
            let away = X::sum(&self.pipes[slot * dmax * na..(slot * dmax + p.duration) * na]);
            returns += back;
            losses += due - back;
            in_training += away;
            returns_by_grade[p.to] += back;
            sent_by_grade[p.from] += sent;
            training_cost += p.cost_year * away + p.cost_one_off * sent;
        }
        let f = self.frow(t, ri, ci);
        self.add(f + F_RETURNS, returns);
        self.add(f + F_LOSSES, losses);
        self.add(f + F_IN_TRAINING, in_training);
        (training_cost, in_training)
    }

    /// 5. Entrants join at their ages: the planned number (capped by the vacant posts
    ///    when the cadre hires into vacancies only), then a policy's extras at a named
    ///    grade.
    pub fn hire(&mut self, t: usize, ri: usize, ci: usize, mut planned: Planned) {
        let (cx, v, ys) = (self.cx, self.v, self.ys);
        let m = cx.m;
        let c = &m.cadres[ci];
        let (na, ns, ng, k, h) = (
            m.n_ages,
            c.n_s,
            c.grades.len(),
            self.g.regions.len(),
            m.horizon,
        );
        let blk = self.block(ri, c);
        let f = self.frow(t, ri, ci);
        self.by_grade[3][..ng].fill(X::ZERO);
        // Hiring into vacant posts only: the graduates available, capped by the posts
        // left after the year's exits and returns.
        if let (Some(e), Some((_, n, _))) = (&c.entrants, &mut planned) {
            if e.fill_vacancies {
                let staff = X::sum(&self.mid[blk..blk + c.size(na)]);
                let r = self.g.regions[ri];
                let pops = (self.pops[ri * (h + 1) + t], self.pops[ri * (h + 1)]);
                let posts = need(cx, v, ys, (t, ri, ci), (r, k), pops, |_, _| {});
                *n = n.min((posts - staff).zip(X::ZERO, f64::max));
            }
        }
        if let Some((eg, n, _)) = planned {
            self.add(f + F_ENTRANTS, n);
            self.by_grade[3][eg] = n;
        }
        match planned {
            Some((eg, n, Some(sh))) => {
                let dst = blk + eg * ns * na;
                self.flow.split(n, sh, &mut self.mid[dst..dst + na]);
            }
            Some((_, n, None)) => self.mid[blk] += n,
            None => {}
        }
        // Extra entrants a policy brings in at a named grade, at the cadre's entrant ages
        // (else the youngest age).
        if cx.grade_entry[ci] {
            let mut more = X::ZERO;
            for gi in 0..ng {
                let x = ys.extra_grade[(ci * k + ri) * cx.gmax + gi];
                if !x.any_positive() {
                    continue;
                }
                let n = self.flow.whole(x);
                let dst = blk + gi * ns * na;
                match &c.entrants {
                    Some(e) => self
                        .flow
                        .split(n, &e.age_shares, &mut self.mid[dst..dst + na]),
                    None => self.mid[dst] += n,
                }
                self.by_grade[3][gi] += n;
                more += n;
            }
            self.add(f + F_ENTRANTS, more);
        }
    }

    /// The year's end stock by grade, supply and demand (to `out`) and costs of local
    /// region `ri`'s cadre `ci` (salaries by grade, training, buy-outs and the policies' costs).
    pub fn close(
        &mut self,
        out: &mut Out,
        t: usize,
        ri: usize,
        ci: usize,
        training_cost: X,
        in_training: X,
    ) {
        let (cx, v, ys, g) = (self.cx, self.v, self.ys, self.g);
        let m = cx.m;
        let c = &m.cadres[ci];
        let (na, nc, ns, ng, k, h) = (
            m.n_ages,
            m.cadres.len(),
            c.n_s,
            c.grades.len(),
            g.regions.len(),
            m.horizon,
        );
        let (ni, gmax) = (cx.n_items, cx.gmax);
        let blk = self.block(ri, c);
        let f = self.frow(t, ri, ci);
        let [end_by_grade, returns_by_grade, sent_by_grade, entrants_by_grade] = &mut self.by_grade;
        for (gi, e) in end_by_grade.iter_mut().enumerate().take(ng) {
            *e = X::sum(&self.mid[blk + gi * ns * na..blk + (gi + 1) * ns * na]);
        }
        let end_by_grade = &end_by_grade[..ng];
        let end = X::sum(end_by_grade);
        self.flows[f + F_END] += end.sum_lanes(self.valid);
        let pops = (self.pops[ri * (h + 1) + t], self.pops[ri * (h + 1)]);
        put_year(out, cx, g, v, ys, (t, ri, ci), (end, end_by_grade), pops);
        if !cx.costs_live {
            return;
        }
        let cbase = ((t - 1) * k * nc + ri * nc + ci) * ni;
        let slot = (ri * nc + ci) * gmax;
        let year = CadreYear {
            by: ByGrade {
                start: &self.start_grade[slot..slot + ng],
                end: end_by_grade,
                entrants: &entrants_by_grade[..ng],
                returns: &returns_by_grade[..ng],
                sent: &sent_by_grade[..ng],
                in_training,
            },
            training: training_cost,
            buyout: self.buyout[ri * nc + ci],
        };
        let mut sink = CostSink {
            row: &mut self.costs[cbase..cbase + ni],
            out,
            t,
            ci,
            valid: self.valid,
            n_cadres: nc,
        };
        cadre_costs(cx, v, (ci, g.regions[ri]), &year, &mut sink);
    }
}
