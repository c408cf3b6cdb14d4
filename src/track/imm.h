/*
 * imm.h — the tracker's state estimator: an interacting multiple model
 * (IMM) filter over three linear Kalman filters in a local plane. Private
 * to src/track (track.c and the tests use it).
 *
 * State of each model: x = [east, north, v_east, v_north] (m, m/s) in the
 * track's local plane. The three models share that state and differ in
 * their transition:
 *   model 0  constant velocity (CV), small process noise;
 *   model 1  coordinated turn to the left at +omega (CT+);
 *   model 2  coordinated turn to the right at -omega (CT-).
 * A coordinated turn with a known rate is linear:
 *   F(w, T) = | 1 0  s/w      -(1-c)/w |      s = sin(wT), c = cos(wT)
 *             | 0 1  (1-c)/w   s/w     |
 *             | 0 0  c        -s       |
 *             | 0 0  s         c       |
 * and CV is its limit w -> 0, so one code path serves all three. Process
 * noise is the piecewise-constant white acceleration of Bar-Shalom, Li and
 * Kirubarajan, "Estimation with Applications to Tracking and Navigation"
 * (2001), section 6.3.3: per axis sigma_a^2 [T^4/4 T^3/2; T^3/2 T^2].
 *
 * One IMM cycle (Blom and Bar-Shalom, IEEE Trans. AC 33(8), 1988; the same
 * book, section 11.6.6): mix the model estimates with the Markov switching
 * probabilities, predict each model, update each with the measurement,
 * weigh the models by their likelihoods, combine. The switching matrix is
 * made from the time step (stay with probability exp(-T/tau), switch evenly
 * to the others), so a 1 s ADS-B update and a 3-minute AIS gap both get a
 * sensible one.
 *
 * Why fixed-rate turn models and not a 5-state extended Kalman filter with
 * the turn rate in the state: the three filters stay linear (no Jacobian,
 * no divergence when the rate is badly observed from plots 4-12 s apart),
 * cost a few hundred multiplications each, and the model probabilities
 * blend them into any rate between -omega and +omega, which covers
 * rate-one turns (3 deg/s) of airliners and the slow turns of ships.
 *
 * Turns harder than +-omega (imm.c explains both, with figures): the turn
 * models' white acceleration is at least speed x omega / 3, the
 * acceleration of a turn-rate error of a third of omega; and a
 * position-only update that none of the models explained (the best
 * model's d^2 past 9.21, chi-square 99 %) inflates every model's
 * covariance in proportion, so the stated error stays true to the actual
 * one (covariance matching on the normalised innovation, the same book,
 * section 11.2). A step longer than tau / 2 (a coast through missed
 * plots) is predicted in sub-steps of at most tau / 3, mixed at each, so
 * that a turn begun part-way through it is among the hypotheses.
 *
 * Measurements: position (m = 2) or position and velocity (m = 4), z in the
 * same plane, with a full covariance R (a radar plot's polar noise turned
 * into east/north by the caller, see track.c).
 */
#ifndef CAIRN_TRACK_IMM_H
#define CAIRN_TRACK_IMM_H

#define TRK_IMM_M 3 /* number of models */

/* Tuning of one target kind's models. */
struct trk_imm_params {
    double sigma_a_cv;  /* CV process noise, m/s^2 (1 sigma) */
    double sigma_a_ct;  /* CT process noise, m/s^2 */
    double omega_rad_s; /* turn rate of the CT models, rad/s (> 0) */
    double tau_s;       /* mean sojourn time in a model, s */
};

/* A covariance is symmetric and kept exactly so: only its lower triangle
 * is stored, row by row (element (r, c), c <= r, at TRK_IMM_LT(r, c)):
 * 10 doubles instead of 16, so that a track's filter takes 472 bytes
 * instead of 664 (the tracker is bound by the memory it moves per
 * measurement). */
#define TRK_IMM_LT(r, c) ((r) * ((r) + 1) / 2 + (c))
#define TRK_IMM_NP       10

struct trk_imm {
    double xc[4];                    /* combined estimate (first: trk_tick reads it alone) */
    double mu[TRK_IMM_M];            /* model probabilities, sum 1 */
    double x[TRK_IMM_M][4];          /* per model */
    double P[TRK_IMM_M][TRK_IMM_NP]; /* per model, lower triangles */
    double Pc[TRK_IMM_NP];           /* covariance of xc, lower triangle */
};

/* Start from one measurement: position z[2] with covariance R[4]; velocity
 * v[2] with covariance Rv[4] when v is not NULL, else zero velocity with
 * sigma_v0 (m/s) per axis. */
void trk_imm_init(struct trk_imm *f, const double z[2], const double R[4], const double *v,
                  const double *Rv, double sigma_v0);

/*
 * One cycle: predict by dt_s (>= 0) and update with z (m = 2: position;
 * m = 4: position and velocity), covariance R (m x m, row-major). Returns
 * the Mahalanobis distance squared of the combined innovation, or a
 * negative value when the innovation covariance was not positive definite
 * (the filter is then left predicted but not updated).
 */
double trk_imm_update(struct trk_imm *f, const struct trk_imm_params *p, double dt_s,
                      const double *z, const double *R, int m);

/*
 * What one time step costs before any track is looked at, and is the same
 * for every track of a kind: the switching probabilities (an exp), the
 * three transitions (a sincos) and the process noise. trk_imm_step_make
 * computes them for params p and dt_s (clamped at 0, as trk_imm_update
 * does); trk_imm_update_step is trk_imm_update with them made already, and
 * gives bit for bit its result (trk_imm_update is the two in a row). The
 * tracker keeps recent steps (reports of a sensor mostly come at the same
 * few intervals).
 */
struct trk_imm_step {
    double dt_s;                           /* >= 0 */
    double stay, off;                      /* P(stay in a model), P(switch to one other) */
    double a[TRK_IMM_M], b[TRK_IMM_M];     /* sin(wT)/w, (1 - cos(wT))/w (CV: T, 0) */
    double c[TRK_IMM_M], s[TRK_IMM_M];     /* cos(wT), sin(wT) (CV: 1, 0) */
    double q11[TRK_IMM_M], q13[TRK_IMM_M]; /* process noise: sa^2 T^4/4, sa^2 T^3/2 */
    double q33[TRK_IMM_M];                 /* sa^2 T^2 */
    double sa2_ct, wv2;                    /* sigma_a_ct^2, (omega / 3)^2 (see imm.c) */
    double t4, t3, t2;                     /* T^4/4, T^3/2, T^2 */
    int n_sub; /* sub-steps (imm.c): the numbers above are one sub-step's, dt_s / n_sub */
};
void trk_imm_step_make(struct trk_imm_step *st, const struct trk_imm_params *p, double dt_s);
double trk_imm_update_step(struct trk_imm *f, const struct trk_imm_step *st, const double *z,
                           const double *R, int m);

/* Two tracks' filters f[0] != f[1] updated at once, each as
 * trk_imm_update_step(f[h], st[h], z[h], R[h], m) would, bit for bit, its
 * result in d2[h]: their arithmetic interleaves (the halves of one vector),
 * so that one's chain of square roots and divisions does not wait alone. */
void trk_imm_update_pair(struct trk_imm *f[2], const struct trk_imm_step *st[2], const double *z[2],
                         const double *R[2], int m, double d2[2]);

/* For tests: use vector code of at most this level (0 SSE2, 1 AVX2, 2
 * AVX-512F; 2 by default), so that every path this CPU has can be checked
 * against the others. Returns the level now in use (what the CPU has, at
 * most max). Not for use while another thread updates filters. */
int trk_imm_vec_limit(int max);

/*
 * Gating against the combined estimate predicted by dt_s at constant
 * velocity, with the acceleration of a turn at omega (or the CT process
 * noise if larger) as process noise: a cheap, slightly conservative
 * stand-in for the full IMM prediction that does not lose a target which
 * starts to turn between two plots. Returns the Mahalanobis distance squared of position z[2]
 * with covariance R[4]; *pred (if not NULL) receives the predicted
 * position.
 */
double trk_imm_gate(const struct trk_imm *f, const struct trk_imm_params *p, double dt_s,
                    const double z[2], const double R[4], double pred[2]);

/* Predicted combined position and velocity at dt_s ahead (no state change). */
void trk_imm_predict_pos(const struct trk_imm *f, double dt_s, double out[4]);

/* Change of plane (re-anchoring a track's local plane): every east
 * coordinate becomes ax * e + bx, every north coordinate ay * n + by,
 * velocities and covariances are scaled to match. */
void trk_imm_remap(struct trk_imm *f, double ax, double bx, double ay, double by);

#endif
