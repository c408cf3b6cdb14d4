/*
 * imm.c — interacting multiple model filter (CV + two coordinated turns).
 * The method, its references and the reasons for it are in imm.h.
 */
#include "track/imm.h"

#include <math.h>
#include <string.h>

/* Model probabilities never fall below this, so a model that lost all
 * weight during a straight leg can win again within one or two updates
 * when the turn starts (the usual IMM floor; without it mu underflows). */
#define MU_FLOOR 1e-4

/* Sub-steps of one update at most (imm_coast): 3-minute AIS gaps of a
 * vessel (tau 120 s) take 5. */
#define SUB_MAX 16

/* Position-only updates whose best model's d^2 exceeds NIS_HI (chi-square,
 * 2 degrees of freedom, 99 %) inflate every model's covariance, by at
 * most INFLATE_MAX (inflate). */
#define NIS_HI      9.21
#define INFLATE_MAX 25.0

/* P (row-major 4x4) is kept exactly symmetric: the functions below compute
 * the lower triangle (row r, column c <= r) and mirror it. */
static inline void mirror(double P[16])
{
    P[1] = P[4];
    P[2] = P[8];
    P[3] = P[12];
    P[6] = P[9];
    P[7] = P[13];
    P[11] = P[14];
}

/* Transition over T seconds with F built from a = sin(wT)/w,
 * b = (1 - cos(wT))/w, c = cos(wT), s = sin(wT) (CV: a = T, b = s = 0,
 * c = 1), plus piecewise-constant white acceleration (q11, q13, q33: the
 * terms of its covariance, trk_imm_step_make). F = [I A; 0 B] with A = [a -b; b a], B = [c -s; s
 * c]: the products are written out in that block form (no multiplications by the constant zeros and
 * ones of F), and of F P F^T only the lower triangle is computed. */
static inline void predict(const double x[4], const double P[16], double a, double b, double c,
                           double s, double q11, double q13, double q33, double xo[4],
                           double Po[16])
{
    xo[0] = x[0] + a * x[2] - b * x[3];
    xo[1] = x[1] + b * x[2] + a * x[3];
    xo[2] = c * x[2] - s * x[3];
    xo[3] = s * x[2] + c * x[3];
    /* FP = F P, row by row: rows 0,1 = P rows 0,1 + A * P rows 2,3;
     * rows 2,3 = B * P rows 2,3. */
    double FP[16];
    for (int j = 0; j < 4; j++) {
        double p2 = P[8 + j], p3 = P[12 + j];
        FP[j] = P[j] + a * p2 - b * p3;
        FP[4 + j] = P[4 + j] + b * p2 + a * p3;
        FP[8 + j] = c * p2 - s * p3;
        FP[12 + j] = s * p2 + c * p3;
    }
    /* Po = FP F^T, lower triangle: Po[i][j] = row i of FP . row j of F. */
    for (int i = 0; i < 4; i++) {
        const double *r = &FP[i * 4];
        Po[i * 4] = r[0] + a * r[2] - b * r[3];
        if (i >= 1)
            Po[i * 4 + 1] = r[1] + b * r[2] + a * r[3];
        if (i >= 2)
            Po[i * 4 + 2] = c * r[2] - s * r[3];
        if (i == 3)
            Po[15] = s * r[2] + c * r[3];
    }
    Po[0] += q11;
    Po[5] += q11;
    Po[10] += q33;
    Po[15] += q33;
    Po[8] += q13;
    Po[13] += q13;
    mirror(Po);
}

/*
 * Kalman update of (x, P) with z observing the first m (2 or 4)
 * components of the state directly (H = [I 0]), covariance R (m x m,
 * row-major). With S = H P H^T + R = L L^T (Cholesky), W = L^-1 H P and
 * y = L^-1 nu:
 *   d^2 = y.y,  x += K nu = W^T y,  P -= K H P = W^T W,
 * the same update as K = P H^T S^-1 without forming S^-1 or K. Writes
 * det S; returns d^2, or -1 when S is not positive definite (x and P are
 * then unchanged).
 */
static inline double kf_update(double x[4], double P[16], const double *z, const double *R, int m,
                               double *det)
{
    double L[16], Li[4], nu[4], y[4], W[16];
    double prod = 1.0;
    for (int i = 0; i < m; i++) {
        nu[i] = z[i] - x[i];
        for (int j = 0; j <= i; j++) {
            double s = P[i * 4 + j] + R[i * m + j];
            for (int k = 0; k < j; k++)
                s -= L[i * 4 + k] * L[j * 4 + k];
            if (i == j) {
                if (!(s > 0.0))
                    return -1.0;
                prod *= s; /* det S = prod of L_ii^2 */
                L[i * 4 + i] = sqrt(s);
                Li[i] = 1.0 / L[i * 4 + i];
            } else {
                L[i * 4 + j] = s * Li[j];
            }
        }
    }
    double d2 = 0.0;
    for (int i = 0; i < m; i++) { /* forward substitution, nu and the rows of H P */
        double s = nu[i];
        for (int k = 0; k < i; k++)
            s -= L[i * 4 + k] * y[k];
        y[i] = s * Li[i];
        d2 += y[i] * y[i];
        for (int c = 0; c < 4; c++) {
            double w = P[i * 4 + c];
            for (int k = 0; k < i; k++)
                w -= L[i * 4 + k] * W[k * 4 + c];
            W[i * 4 + c] = w * Li[i];
        }
    }
    for (int c = 0; c < 4; c++) {
        double s = 0.0;
        for (int k = 0; k < m; k++)
            s += W[k * 4 + c] * y[k];
        x[c] += s;
    }
    for (int r = 0; r < 4; r++)
        for (int c = 0; c <= r; c++) {
            double s = 0.0;
            for (int k = 0; k < m; k++)
                s += W[k * 4 + r] * W[k * 4 + c];
            P[r * 4 + c] -= s;
        }
    mirror(P);
    *det = prod;
    return d2;
}

static void combine(struct trk_imm *f)
{
    memset(f->xc, 0, sizeof f->xc);
    memset(f->Pc, 0, sizeof f->Pc);
    for (int j = 0; j < TRK_IMM_M; j++)
        for (int i = 0; i < 4; i++)
            f->xc[i] += f->mu[j] * f->x[j][i];
    /* Each P[j] is exactly symmetric (predict and kf_update make it so)
     * and d[r] d[c] == d[c] d[r] in floating point, so Pc is exactly
     * symmetric too: the lower triangle is all there is to sum. */
    for (int j = 0; j < TRK_IMM_M; j++) {
        double d[4];
        for (int i = 0; i < 4; i++)
            d[i] = f->x[j][i] - f->xc[i];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c <= r; c++)
                f->Pc[TRK_IMM_LT(r, c)] += f->mu[j] * (f->P[j][TRK_IMM_LT(r, c)] + d[r] * d[c]);
    }
}

/* Full 4x4 (row-major) from a lower triangle, and back. */
static inline void unpack(const double lt[TRK_IMM_NP], double P[16])
{
    for (int r = 0; r < 4; r++)
        for (int c = 0; c <= r; c++)
            P[r * 4 + c] = P[c * 4 + r] = lt[TRK_IMM_LT(r, c)];
}

static inline void pack(const double P[16], double lt[TRK_IMM_NP])
{
    for (int r = 0; r < 4; r++)
        for (int c = 0; c <= r; c++)
            lt[TRK_IMM_LT(r, c)] = P[r * 4 + c];
}

void trk_imm_init(struct trk_imm *f, const double z[2], const double R[4], const double *v,
                  const double *Rv, double sigma_v0)
{
    memset(f, 0, sizeof *f);
    double x[4] = {z[0], z[1], v ? v[0] : 0.0, v ? v[1] : 0.0};
    double P[16] = {0};
    P[0] = R[0];
    P[1] = R[1];
    P[4] = R[2];
    P[5] = R[3];
    if (v && Rv) {
        P[10] = Rv[0];
        P[11] = Rv[1];
        P[14] = Rv[2];
        P[15] = Rv[3];
    } else {
        P[10] = P[15] = sigma_v0 * sigma_v0;
    }
    for (int j = 0; j < TRK_IMM_M; j++) {
        memcpy(f->x[j], x, sizeof x);
        pack(P, f->P[j]);
    }
    /* Start mostly in CV: most targets fly straight most of the time. */
    f->mu[0] = 0.8;
    f->mu[1] = 0.1;
    f->mu[2] = 0.1;
    combine(f);
}

/* ---------------------------------------------------------------------
 * The three models side by side. Every model does the same arithmetic on
 * its own numbers, so the mixing, prediction and update of the three run
 * in the lanes of one vector (lane j: model j; lane 3 repeats model 0 and
 * is ignored), in exactly the order of operations of predict() and
 * kf_update() above: each lane's result is bit for bit the scalar one
 * (imm_vec.h, the code). GCC's vector extension compiles to pairs of SSE2
 * operations, or with AVX2 (chosen at run time) to one; no FMA, so the
 * rounding is the same on every machine. When a lane's innovation
 * covariance is not positive definite the whole update of that track
 * falls back to the scalar path, which leaves that model predicted but not
 * updated. trk_imm_update_pair runs two tracks in the two halves of
 * vectors of 8 (one AVX-512 operation, or two AVX2 ones side by side).
 */
typedef double v4 __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));
typedef double v8 __attribute__((vector_size(64)));
typedef long long v8i __attribute__((vector_size(64)));

/* What the lanes of one track need, per lane (lane 3 a copy of lane 0),
 * passed by address. */
struct imm_lanes {
    double wm[TRK_IMM_M][4]; /* mixing weights of model i, per target model */
    double a[4], b[4], c[4], s[4], q11[4], q13[4], q33[4]; /* transition, process noise */
};

/* (macros: a function returning a vector changes the ABI with AVX) */
#define VT       v4
#define VI       v4i
#define VW       4
#define NAME     imm_vec
#define VSQRT(t) ((v4){sqrt((t)[0]), sqrt((t)[1]), sqrt((t)[2]), sqrt((t)[3])})
#include "track/imm_vec.h"
#undef VT
#undef VI
#undef VW
#undef NAME
#undef VSQRT
#define VT   v8
#define VI   v8i
#define VW   8
#define NAME imm_vec2
#define VSQRT(t)                                                                                   \
    ((v8){sqrt((t)[0]), sqrt((t)[1]), sqrt((t)[2]), sqrt((t)[3]), sqrt((t)[4]), sqrt((t)[5]),      \
          sqrt((t)[6]), sqrt((t)[7])})
#include "track/imm_vec.h"
#undef VT
#undef VI
#undef VW
#undef NAME
#undef VSQRT

#define IMM_VEC_ARGS                                                                               \
    struct trk_imm *f, const struct imm_lanes *ln, const double *z, const double *R, int m,        \
        double d2s[TRK_IMM_M], double det[TRK_IMM_M]
#define IMM_VEC_CALL f, ln, z, R, m, d2s, det
/* literal sizes, so the loops are unrolled for each */
#define IMM_VEC_BODY                                                                               \
    return m == 4 ? imm_vec(f, f, ln, ln, z, z, R, R, 4, d2s, det, d2s, det)                       \
                  : imm_vec(f, f, ln, ln, z, z, R, R, 2, d2s, det, d2s, det)

#define IMM_VEC2_ARGS                                                                              \
    struct trk_imm *fa, struct trk_imm *fb, const struct imm_lanes *la,                            \
        const struct imm_lanes *lb, const double *za, const double *zb, const double *Ra,          \
        const double *Rb, int m, double d2a[TRK_IMM_M], double deta[TRK_IMM_M],                    \
        double d2b[TRK_IMM_M], double detb[TRK_IMM_M]
#define IMM_VEC2_CALL fa, fb, la, lb, za, zb, Ra, Rb, m, d2a, deta, d2b, detb
#define IMM_VEC2_BODY                                                                              \
    return m == 4 ? imm_vec2(fa, fb, la, lb, za, zb, Ra, Rb, 4, d2a, deta, d2b, detb)              \
                  : imm_vec2(fa, fb, la, lb, za, zb, Ra, Rb, 2, d2a, deta, d2b, detb)

static int imm_vec_sse2(IMM_VEC_ARGS)
{
    IMM_VEC_BODY;
}

static int imm_vec2_sse2(IMM_VEC2_ARGS)
{
    IMM_VEC2_BODY;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx2"))) static int imm_vec_avx2(IMM_VEC_ARGS)
{
    IMM_VEC_BODY;
}

__attribute__((target("avx2"))) static int imm_vec2_avx2(IMM_VEC2_ARGS)
{
    IMM_VEC2_BODY;
}

__attribute__((target("avx512f"))) static int imm_vec2_avx512(IMM_VEC2_ARGS)
{
    IMM_VEC2_BODY;
}

/* 0: SSE2, 1: AVX2, 2: AVX2 and AVX-512F, at most vec_limit. The same
 * answer from every thread: a benign race. */
static int vec_limit = 2;

static int vec_level(void)
{
    static int level = -1;
    if (level < 0)
        level = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") ? 2
                : __builtin_cpu_supports("avx2")                                    ? 1
                                                                                    : 0;
    return level < vec_limit ? level : vec_limit;
}

int trk_imm_vec_limit(int max)
{
    vec_limit = max < 0 ? 0 : max > 2 ? 2 : max;
    return vec_level();
}

static int imm_vec_any(IMM_VEC_ARGS)
{
    return vec_level() ? imm_vec_avx2(IMM_VEC_CALL) : imm_vec_sse2(IMM_VEC_CALL);
}

static int imm_vec2_any(IMM_VEC2_ARGS)
{
    int level = vec_level();
    return level == 2   ? imm_vec2_avx512(IMM_VEC2_CALL)
           : level == 1 ? imm_vec2_avx2(IMM_VEC2_CALL)
                        : imm_vec2_sse2(IMM_VEC2_CALL);
}
#else
int trk_imm_vec_limit(int max)
{
    (void)max;
    return 0;
}

static int imm_vec_any(IMM_VEC_ARGS)
{
    return imm_vec_sse2(IMM_VEC_CALL);
}

static int imm_vec2_any(IMM_VEC2_ARGS)
{
    return imm_vec2_sse2(IMM_VEC2_CALL);
}
#endif

/* The mixed initial conditions of each model (x0, P0 full 4x4). */
static void mix_models(const struct trk_imm *f, double wm[TRK_IMM_M][TRK_IMM_M],
                       double x0[TRK_IMM_M][4], double P0[TRK_IMM_M][16])
{
    for (int j = 0; j < TRK_IMM_M; j++) {
        for (int k = 0; k < 4; k++) {
            x0[j][k] = 0.0;
            for (int i = 0; i < TRK_IMM_M; i++)
                x0[j][k] += wm[i][j] * f->x[i][k];
        }
        memset(P0[j], 0, sizeof P0[j]);
        for (int i = 0; i < TRK_IMM_M; i++) {
            if (wm[i][j] == 0.0)
                continue;
            double d[4];
            for (int k = 0; k < 4; k++)
                d[k] = f->x[i][k] - x0[j][k];
            /* exactly symmetric, as in combine: the lower triangle */
            for (int r = 0; r < 4; r++)
                for (int q = 0; q <= r; q++)
                    P0[j][r * 4 + q] += wm[i][j] * (f->P[i][TRK_IMM_LT(r, q)] + d[r] * d[q]);
        }
        mirror(P0[j]);
    }
}

/* The same, one model at a time (predict, kf_update): the fallback. Lane j
 * of ln holds model j's transition and noise. */
static void imm_scalar(struct trk_imm *f, double wm[TRK_IMM_M][TRK_IMM_M],
                       const struct imm_lanes *ln, const double *z, const double *R, int m,
                       double d2s[TRK_IMM_M], double det[TRK_IMM_M])
{
    double x0[TRK_IMM_M][4], P0[TRK_IMM_M][16];
    mix_models(f, wm, x0, P0);
    for (int j = 0; j < TRK_IMM_M; j++) {
        double P[16];
        predict(x0[j], P0[j], ln->a[j], ln->b[j], ln->c[j], ln->s[j], ln->q11[j], ln->q13[j],
                ln->q33[j], f->x[j], P);
        d2s[j] = m == 4 ? kf_update(f->x[j], P, z, R, 4, &det[j])
                        : kf_update(f->x[j], P, z, R, 2, &det[j]);
        pack(P, f->P[j]);
    }
}

void trk_imm_step_make(struct trk_imm_step *st, const struct trk_imm_params *p, double dt_s)
{
    const double sa[TRK_IMM_M] = {p->sigma_a_cv, p->sigma_a_ct, p->sigma_a_ct};
    if (dt_s < 0.0)
        dt_s = 0.0;
    st->dt_s = dt_s;
    /* a step longer than tau / 2 in sub-steps of at most tau / 3 (imm_coast) */
    st->n_sub = 1;
    if (p->tau_s > 0.0 && dt_s > p->tau_s / 2.0) {
        double n = ceil(dt_s / (p->tau_s / 3.0));
        st->n_sub = n < SUB_MAX ? (int)n : SUB_MAX;
        dt_s /= st->n_sub;
    }
    st->stay = p->tau_s > 0.0 ? exp(-dt_s / p->tau_s) : 1.0;
    st->off = (1.0 - st->stay) / (TRK_IMM_M - 1);

    /* The transitions: CV, turn left, turn right (sin and b change sign).
     * The two turns share |w|: one sincos. */
    double sw = 0.0, cw = 1.0, aw = dt_s, bw = 0.0;
    if (fabs(p->omega_rad_s * dt_s) >= 1e-9) {
        sw = sin(p->omega_rad_s * dt_s);
        cw = cos(p->omega_rad_s * dt_s);
        aw = sw / p->omega_rad_s;
        bw = (1.0 - cw) / p->omega_rad_s;
    }
    const double ta[3] = {dt_s, aw, aw}, tb[3] = {0.0, bw, -bw}, tc[3] = {1.0, cw, cw},
                 ts[3] = {0.0, sw, -sw};
    double T2 = dt_s * dt_s;
    st->sa2_ct = p->sigma_a_ct * p->sigma_a_ct;
    st->wv2 = p->omega_rad_s * p->omega_rad_s / 9.0;
    st->t4 = T2 * T2 / 4.0;
    st->t3 = T2 * dt_s / 2.0;
    st->t2 = T2;
    for (int j = 0; j < TRK_IMM_M; j++) {
        double q = sa[j] * sa[j];
        st->a[j] = ta[j];
        st->b[j] = tb[j];
        st->c[j] = tc[j];
        st->s[j] = ts[j];
        st->q11[j] = q * T2 * T2 / 4.0;
        st->q13[j] = q * T2 * dt_s / 2.0;
        st->q33[j] = q * T2;
    }
}

double trk_imm_update(struct trk_imm *f, const struct trk_imm_params *p, double dt_s,
                      const double *z, const double *R, int m)
{
    struct trk_imm_step st;
    trk_imm_step_make(&st, p, dt_s);
    return trk_imm_update_step(f, &st, z, R, m);
}

/*
 * Covariance matching on a surprise (Bar-Shalom, Li and Kirubarajan,
 * section 11.2: noise level adjusted from the normalised innovation). The
 * three models span turns of -omega..+omega with a little white
 * acceleration; a target outside that span (a 4 deg/s turn against 3 deg/s
 * models, a turn begun during a coast of 20-30 s) leaves every model's
 * estimate behind while its covariance, fed by the model's own small
 * process noise, stays as small as on a straight leg: measured on a
 * radar-only target in 4 deg/s turns (baltic-sea's LOWPASS, 10 s scans),
 * velocity errors of 50-150 m/s against a stated 15-25 m/s (1 sigma), the
 * best model's d^2 at 10-30. Such an innovation says the models are not
 * true of the target now: each model's posterior covariance is multiplied
 * by 1 + (d2 - NIS_HI) / 2 (continuous at the threshold; about the ratio of
 * the observed d^2 to the 2 it should average), at most INFLATE_MAX, so the
 * state's stated error matches what the innovation showed and the next
 * plots weigh more than the estimate until it has caught up. Only for
 * position-only updates: a measured velocity (ADS-B, AIS) corrects the
 * velocity itself at every update. On a straight leg the best model's d^2
 * passes 9.21 in fewer than 1 % of updates (less than the chi-square's
 * 1 %, being the least of three), and then by little.
 */
static void inflate(struct trk_imm *f, double best_d2, int m)
{
    if (m != 2 || !(best_d2 > NIS_HI))
        return;
    double k = 1.0 + (best_d2 - NIS_HI) / 2.0;
    if (k > INFLATE_MAX)
        k = INFLATE_MAX;
    for (int j = 0; j < TRK_IMM_M; j++)
        for (int e = 0; e < TRK_IMM_NP; e++)
            f->P[j][e] *= k;
}

/*
 * The turn models' process noise grows with speed. They turn at exactly
 * 0 and +-omega; a target turning at another rate is followed by their
 * mixture, but a rate beyond +-omega (a fighter's 4-5 deg/s against 3
 * deg/s models) or one that changed since the last update leaves an
 * acceleration no model has: speed x the rate error. Taking a third of
 * omega as the rate error the turn models must absorb (1 deg/s for
 * aircraft, a target turning at 4 deg/s then within one sigma), their
 * white acceleration is at least speed x omega / 3: 3.8 m/s^2 at 420 kt,
 * against the 2 m/s^2 of the table, which stays for targets below 230 kt
 * (vessels: 0.2 m/s^2 up to 68 kt). The speed is the combined estimate's
 * before the update. Measured on baltic-sea's LOWPASS (primary-only,
 * 420 kt, 4 deg/s turns, 10 s scans, coasting 20-30 s through missed
 * plots): with the table's 2 m/s^2 the turn model that won after a gap
 * stated 15-25 m/s of velocity error when it was 50-150 m/s. CV keeps its
 * noise: on straight legs nothing changes but the small weight of the
 * turn models. A step whose CT noise is not raised uses the step's numbers
 * as made (the same bits as before).
 */
static void ct_noise(const struct trk_imm *f, const struct trk_imm_step *st, double q11[TRK_IMM_M],
                     double q13[TRK_IMM_M], double q33[TRK_IMM_M])
{
    double v2 = f->xc[2] * f->xc[2] + f->xc[3] * f->xc[3];
    double q = v2 * st->wv2;
    for (int j = 0; j < TRK_IMM_M; j++) {
        if (j == 0 || !(q > st->sa2_ct)) {
            q11[j] = st->q11[j];
            q13[j] = st->q13[j];
            q33[j] = st->q33[j];
        } else {
            q11[j] = q * st->t4;
            q13[j] = q * st->t3;
            q33[j] = q * st->t2;
        }
    }
}

/* Mixing: c_j = sum_i p_ij mu_i, mu_i|j = p_ij mu_i / c_j; and the
 * lanes' numbers. */
static void mix_prep(const struct trk_imm *f, const struct trk_imm_step *st, double c[TRK_IMM_M],
                     double wm[TRK_IMM_M][TRK_IMM_M], struct imm_lanes *ln)
{
    const double stay = st->stay, off = st->off;
    for (int j = 0; j < TRK_IMM_M; j++) {
        c[j] = 0.0;
        for (int i = 0; i < TRK_IMM_M; i++)
            c[j] += (i == j ? stay : off) * f->mu[i];
    }
    for (int j = 0; j < TRK_IMM_M; j++)
        for (int i = 0; i < TRK_IMM_M; i++)
            wm[i][j] = (i == j ? stay : off) * f->mu[i] / c[j];
    double q11[TRK_IMM_M], q13[TRK_IMM_M], q33[TRK_IMM_M];
    ct_noise(f, st, q11, q13, q33);
    for (int l = 0; l < 4; l++) {
        int j = l < TRK_IMM_M ? l : 0; /* lane 3 repeats model 0 */
        for (int i = 0; i < TRK_IMM_M; i++)
            ln->wm[i][l] = wm[i][j];
        ln->a[l] = st->a[j];
        ln->b[l] = st->b[j];
        ln->c[l] = st->c[j];
        ln->s[l] = st->s[j];
        ln->q11[l] = q11[j];
        ln->q13[l] = q13[j];
        ln->q33[l] = q33[j];
    }
}

/* The models' new probabilities from their likelihoods, and the combined
 * estimate. Returns the smallest d2, or -1 when no model was updated. */
static double mu_post(struct trk_imm *f, const double c[TRK_IMM_M], const double d2s[TRK_IMM_M],
                      const double det[TRK_IMM_M], int m)
{
    int ok = 0;
    double best_d2 = -1.0;
    for (int j = 0; j < TRK_IMM_M; j++) {
        if (d2s[j] < 0.0)
            continue;
        ok++;
        if (best_d2 < 0.0 || d2s[j] < best_d2)
            best_d2 = d2s[j];
    }
    if (ok > 0) {
        /* Likelihood N(nu; 0, S_j) = exp(-d2_j / 2) / sqrt((2 pi)^m det S_j);
         * the (2 pi)^m cancels in the normalisation, and taking d2 relative
         * to the best model keeps the exponentials from underflowing
         * together (and saves the logarithms). The best model's is
         * exp(-0) = 1 exactly: not computed. */
        double sum = 0.0;
        for (int j = 0; j < TRK_IMM_M; j++) {
            double l = d2s[j] == best_d2 ? 1.0 : exp(-0.5 * (d2s[j] - best_d2));
            f->mu[j] = d2s[j] >= 0.0 ? l / sqrt(det[j]) * c[j] : 0.0;
            sum += f->mu[j];
        }
        for (int j = 0; j < TRK_IMM_M; j++)
            f->mu[j] = sum > 0.0 ? f->mu[j] / sum : 1.0 / TRK_IMM_M;
    } else {
        memcpy(f->mu, c, TRK_IMM_M * sizeof *c);
    }
    double sum = 0.0;
    for (int j = 0; j < TRK_IMM_M; j++) {
        if (f->mu[j] < MU_FLOOR)
            f->mu[j] = MU_FLOOR;
        sum += f->mu[j];
    }
    for (int j = 0; j < TRK_IMM_M; j++)
        f->mu[j] /= sum;
    if (ok > 0)
        inflate(f, best_d2, m);
    combine(f);
    return ok > 0 ? best_d2 : -1.0;
}

/* mu_post for two tracks, h = 0 and 1, in the halves of one vector (lane
 * 4h + j: model j of track h; lanes 3 and 7 unused): the same operations
 * on the same numbers in the same order, so the same bits, with one
 * chain of square roots and divisions for both instead of two. */
/* In every lane of each half of *S, the sum of that half's TRK_IMM_M
 * probabilities in *M, added in model order (as mu_post adds them). */
static inline void half_sums(const v8 *M, v8 *S)
{
    for (int h = 0; h < 2; h++) {
        double sum = 0.0;
        for (int j = 0; j < TRK_IMM_M; j++)
            sum += (*M)[4 * h + j];
        for (int l = 4 * h; l < 4 * h + 4; l++)
            (*S)[l] = sum;
    }
}

static void mu_post2(struct trk_imm *f[2], double c[2][TRK_IMM_M], double d2s[2][TRK_IMM_M],
                     double det[2][TRK_IMM_M], int m, double out[2])
{
    int ok[2] = {0, 0};
    double best[2] = {-1.0, -1.0};
    v8 L = {0}, DET = {1, 1, 1, 1, 1, 1, 1, 1}, C = {0};
    v8i pos = {0};
    for (int h = 0; h < 2; h++) {
        for (int j = 0; j < TRK_IMM_M; j++) {
            if (d2s[h][j] < 0.0)
                continue;
            ok[h]++;
            if (best[h] < 0.0 || d2s[h][j] < best[h])
                best[h] = d2s[h][j];
        }
        for (int j = 0; j < TRK_IMM_M; j++) {
            int l = 4 * h + j;
            /* see mu_post */
            L[l] = d2s[h][j] == best[h] ? 1.0 : exp(-0.5 * (d2s[h][j] - best[h]));
            DET[l] = det[h][j];
            C[l] = c[h][j];
            pos[l] = d2s[h][j] >= 0.0 ? -1 : 0;
        }
    }
    v8 M = L / (v8){sqrt(DET[0]), sqrt(DET[1]), sqrt(DET[2]), sqrt(DET[3]),
                    sqrt(DET[4]), sqrt(DET[5]), sqrt(DET[6]), sqrt(DET[7])} *
           C;
    M = (v8)((v8i)M & pos); /* d2 < 0: 0.0 */
    v8 S;
    half_sums(&M, &S);
    for (int h = 0; h < 2; h++)
        if (!(S[4 * h] > 0.0))
            ok[h] = -ok[h]; /* mark: 1 / TRK_IMM_M, unless no model was updated */
    M = M / S;
    for (int h = 0; h < 2; h++)
        for (int j = 0; j < TRK_IMM_M; j++) {
            if (ok[h] < 0)
                M[4 * h + j] = 1.0 / TRK_IMM_M;
            else if (ok[h] == 0)
                M[4 * h + j] = c[h][j];
        }
    const v8 floor = {MU_FLOOR, MU_FLOOR, MU_FLOOR, MU_FLOOR,
                      MU_FLOOR, MU_FLOOR, MU_FLOOR, MU_FLOOR};
    v8i low = M < floor;
    M = (v8)(((v8i)M & ~low) | ((v8i)floor & low));
    half_sums(&M, &S);
    M = M / S;
    for (int h = 0; h < 2; h++) {
        for (int j = 0; j < TRK_IMM_M; j++)
            f[h]->mu[j] = M[4 * h + j];
        out[h] = ok[h] != 0 ? best[h] : -1.0;
        inflate(f[h], out[h], m);
        combine(f[h]);
    }
}

/*
 * Sub-steps. The Markov chain lets a model hand over to another at any
 * moment, but one IMM cycle mixes once and holds each model for the whole
 * step: over a coast of 20-30 s through missed plots, no hypothesis is "a
 * turn that began in the last few seconds". Measured on baltic-sea seed
 * 19: LOWPASS began a 4 deg/s turn 7 s before the plot that ended a 30 s
 * coast; CV predicted it 360 m off, the turn models (90 degrees of turn)
 * 4 km off, so CV took the plot with probability 0.99 and a heading 26
 * degrees behind, and the track, moved on in a straight line, strayed
 * 4.3 km in the next 20 s. So a step longer than tau / 2 (15 s for
 * aircraft, longer than any radar's scan; 60 s for vessels) is made of
 * n_sub equal sub-steps of at most tau / 3 (10 s, 40 s: a model lasts one
 * with probability 0.72), at most SUB_MAX, each of them mixed and
 * predicted (imm_coast: the models' probabilities become the mixing's, no
 * measurement), the last one with the update. The switching probability
 * over the whole step is the same (exp(-T / tau) compounds); what changes
 * is that the models' hypotheses now include a switch part-way. A step of
 * at most tau / 2 is one cycle, as before (the same bits). On that seed,
 * at the plot after the coast the velocity error stays about 100 m/s (one
 * plot cannot show the turn) but is stated as 47 m/s instead of 11, and
 * at the next plots, after 20 s coasts in the turn, it is 44 and 32 m/s
 * instead of 130 and 118 (test_trk_turns measures the consistency).
 */
static void imm_coast(struct trk_imm *f, const struct trk_imm_step *st)
{
    double c[TRK_IMM_M], wm[TRK_IMM_M][TRK_IMM_M], x0[TRK_IMM_M][4], P0[TRK_IMM_M][16];
    struct imm_lanes ln;
    mix_prep(f, st, c, wm, &ln);
    mix_models(f, wm, x0, P0);
    for (int j = 0; j < TRK_IMM_M; j++) {
        double P[16];
        predict(x0[j], P0[j], ln.a[j], ln.b[j], ln.c[j], ln.s[j], ln.q11[j], ln.q13[j], ln.q33[j],
                f->x[j], P);
        pack(P, f->P[j]);
        f->mu[j] = c[j];
    }
    combine(f);
}

double trk_imm_update_step(struct trk_imm *f, const struct trk_imm_step *st, const double *z,
                           const double *R, int m)
{
    double c[TRK_IMM_M], wm[TRK_IMM_M][TRK_IMM_M];
    double d2s[TRK_IMM_M], det[TRK_IMM_M] = {1.0, 1.0, 1.0};
    struct imm_lanes ln;
    for (int k = 1; k < st->n_sub; k++)
        imm_coast(f, st);
    mix_prep(f, st, c, wm, &ln);
    if (!imm_vec_any(f, &ln, z, R, m, d2s, det))
        imm_scalar(f, wm, &ln, z, R, m, d2s, det);
    return mu_post(f, c, d2s, det, m);
}

void trk_imm_update_pair(struct trk_imm *f[2], const struct trk_imm_step *st[2], const double *z[2],
                         const double *R[2], int m, double d2[2])
{
    double c[2][TRK_IMM_M], wm[2][TRK_IMM_M][TRK_IMM_M];
    double d2s[2][TRK_IMM_M], det[2][TRK_IMM_M] = {{1.0, 1.0, 1.0}, {1.0, 1.0, 1.0}};
    struct imm_lanes ln[2];
    for (int h = 0; h < 2; h++)
        for (int k = 1; k < st[h]->n_sub; k++)
            imm_coast(f[h], st[h]);
    mix_prep(f[0], st[0], c[0], wm[0], &ln[0]);
    mix_prep(f[1], st[1], c[1], wm[1], &ln[1]);
    int done = imm_vec2_any(f[0], f[1], &ln[0], &ln[1], z[0], z[1], R[0], R[1], m, d2s[0], det[0],
                            d2s[1], det[1]);
    for (int h = 0; h < 2; h++)
        if (!(done & 1 << h))
            imm_scalar(f[h], wm[h], &ln[h], z[h], R[h], m, d2s[h], det[h]);
    mu_post2(f, c, d2s, det, m, d2);
}

double trk_imm_gate(const struct trk_imm *f, const struct trk_imm_params *p, double dt_s,
                    const double z[2], const double R[4], double pred[2])
{
    const double *x = f->xc, *P = f->Pc;
    double T = dt_s > 0.0 ? dt_s : 0.0;
    double px = x[0] + T * x[2], py = x[1] + T * x[3];
    /* Allow for a turn at omega starting right after the last update: the
     * lateral acceleration of that turn is speed x omega. */
    double a = fmax(p->sigma_a_ct, sqrt(x[2] * x[2] + x[3] * x[3]) * p->omega_rad_s);
    double q11 = a * a * T * T * T * T / 4.0;
    /* P's (0,0) (0,2) (2,2) (0,1) (0,3) (1,2) (2,3) (1,1) (1,3) (3,3) */
    double p00 = P[0], p02 = P[3], p22 = P[5], p01 = P[1], p03 = P[6], p12 = P[4], p23 = P[8],
           p11 = P[2], p13 = P[7], p33 = P[9];
    double s00 = p00 + 2.0 * T * p02 + T * T * p22 + q11 + R[0];
    double s01 = p01 + T * (p03 + p12) + T * T * p23 + R[1];
    double s11 = p11 + 2.0 * T * p13 + T * T * p33 + q11 + R[3];
    double det = s00 * s11 - s01 * s01;
    if (pred) {
        pred[0] = px;
        pred[1] = py;
    }
    if (!(det > 0.0))
        return INFINITY;
    double dx = z[0] - px, dy = z[1] - py;
    return (s11 * dx * dx - 2.0 * s01 * dx * dy + s00 * dy * dy) / det;
}

void trk_imm_predict_pos(const struct trk_imm *f, double dt_s, double out[4])
{
    out[0] = f->xc[0] + dt_s * f->xc[2];
    out[1] = f->xc[1] + dt_s * f->xc[3];
    out[2] = f->xc[2];
    out[3] = f->xc[3];
}

void trk_imm_remap(struct trk_imm *f, double ax, double bx, double ay, double by)
{
    const double d[4] = {ax, ay, ax, ay};
    for (int j = 0; j <= TRK_IMM_M; j++) {
        double *x = j < TRK_IMM_M ? f->x[j] : f->xc;
        double *P = j < TRK_IMM_M ? f->P[j] : f->Pc;
        x[0] = ax * x[0] + bx;
        x[1] = ay * x[1] + by;
        x[2] *= ax;
        x[3] *= ay;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c <= r; c++)
                P[TRK_IMM_LT(r, c)] *= d[r] * d[c];
    }
}
