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

/*
 * S (m x m, symmetric positive definite, m <= 4) -> its inverse and
 * log-determinant, by Cholesky. -1 when S is not positive definite.
 */
static inline int chol_inv(const double *S, int m, double *Si, double *det)
{
    double L[16] = {0}, Li[16] = {0};
    double prod = 1.0;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j <= i; j++) {
            double s = S[i * m + j];
            for (int k = 0; k < j; k++)
                s -= L[i * m + k] * L[j * m + k];
            if (i == j) {
                if (!(s > 0.0))
                    return -1;
                L[i * m + i] = sqrt(s);
                prod *= s; /* det S = prod of L_ii^2 */
            } else {
                L[i * m + j] = s / L[j * m + j];
            }
        }
    }
    for (int i = 0; i < m; i++) {
        Li[i * m + i] = 1.0 / L[i * m + i];
        for (int j = 0; j < i; j++) {
            double s = 0.0;
            for (int k = j; k < i; k++)
                s += L[i * m + k] * Li[k * m + j];
            Li[i * m + j] = -s / L[i * m + i];
        }
    }
    /* S^-1 = L^-T L^-1 */
    for (int i = 0; i < m; i++) {
        for (int j = 0; j <= i; j++) {
            double s = 0.0;
            for (int k = i; k < m; k++)
                s += Li[k * m + i] * Li[k * m + j];
            Si[i * m + j] = s;
            Si[j * m + i] = s;
        }
    }
    *det = prod;
    return 0;
}

/* Transition over T seconds with F built from a = sin(wT)/w,
 * b = (1 - cos(wT))/w, c = cos(wT), s = sin(wT) (CV: a = T, b = s = 0,
 * c = 1), plus piecewise-constant white acceleration of standard
 * deviation sa. F = [I A; 0 B] with A = [a -b; b a], B = [c -s; s c]:
 * the products are written out in that block form (no multiplications by
 * the constant zeros and ones of F). */
static void predict(const double x[4], const double P[16], double a, double b, double c, double s,
                    double sa, double T, double xo[4], double Po[16])
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
    /* Po = FP F^T: column j of F^T is row j of F. */
    for (int i = 0; i < 4; i++) {
        const double *r = &FP[i * 4];
        double v0 = r[0] + a * r[2] - b * r[3];
        double v1 = r[1] + b * r[2] + a * r[3];
        double v2 = c * r[2] - s * r[3];
        double v3 = s * r[2] + c * r[3];
        Po[i * 4] = v0;
        Po[i * 4 + 1] = v1;
        Po[i * 4 + 2] = v2;
        Po[i * 4 + 3] = v3;
    }
    for (int i = 0; i < 4; i++) /* symmetric by construction; make it exact */
        for (int j = 0; j < i; j++) {
            double v = 0.5 * (Po[i * 4 + j] + Po[j * 4 + i]);
            Po[i * 4 + j] = v;
            Po[j * 4 + i] = v;
        }
    double q = sa * sa, T2 = T * T;
    double q11 = q * T2 * T2 / 4.0, q13 = q * T2 * T / 2.0, q33 = q * T2;
    Po[0] += q11;
    Po[5] += q11;
    Po[10] += q33;
    Po[15] += q33;
    Po[2] += q13;
    Po[8] += q13;
    Po[7] += q13;
    Po[13] += q13;
}

/* Kalman update of (x, P) with z (m components of the state observed
 * directly), covariance R. Writes det S; returns d^2 or -1. */
static inline double kf_update(double x[4], double P[16], const double *z, const double *R, int m,
                               double *det)
{
    double S[16], Si[16], nu[4], K[16];
    for (int i = 0; i < m; i++) {
        nu[i] = z[i] - x[i];
        for (int j = 0; j < m; j++)
            S[i * m + j] = P[i * 4 + j] + R[i * m + j];
    }
    if (chol_inv(S, m, Si, det) < 0)
        return -1.0;
    double d2 = 0.0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            d2 += nu[i] * Si[i * m + j] * nu[j];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < m; c++) {
            double s = 0.0;
            for (int k = 0; k < m; k++)
                s += P[r * 4 + k] * Si[k * m + c];
            K[r * 4 + c] = s;
        }
    for (int r = 0; r < 4; r++) {
        double s = 0.0;
        for (int c = 0; c < m; c++)
            s += K[r * 4 + c] * nu[c];
        x[r] += s;
    }
    double Pn[16];
    for (int r = 0; r < 4; r++)
        for (int col = 0; col < 4; col++) {
            double s = P[r * 4 + col];
            for (int c = 0; c < m; c++)
                s -= K[r * 4 + c] * P[c * 4 + col];
            Pn[r * 4 + col] = s;
        }
    for (int r = 0; r < 4; r++)
        for (int col = 0; col <= r; col++) {
            double v = 0.5 * (Pn[r * 4 + col] + Pn[col * 4 + r]);
            P[r * 4 + col] = v;
            P[col * 4 + r] = v;
        }
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
     * symmetric too: the lower triangle is summed and mirrored. */
    for (int j = 0; j < TRK_IMM_M; j++) {
        double d[4];
        for (int i = 0; i < 4; i++)
            d[i] = f->x[j][i] - f->xc[i];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c <= r; c++)
                f->Pc[r * 4 + c] += f->mu[j] * (f->P[j][r * 4 + c] + d[r] * d[c]);
    }
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < r; c++)
            f->Pc[c * 4 + r] = f->Pc[r * 4 + c];
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
        memcpy(f->P[j], P, sizeof P);
    }
    /* Start mostly in CV: most targets fly straight most of the time. */
    f->mu[0] = 0.8;
    f->mu[1] = 0.1;
    f->mu[2] = 0.1;
    combine(f);
}

double trk_imm_update(struct trk_imm *f, const struct trk_imm_params *p, double dt_s,
                      const double *z, const double *R, int m)
{
    const double w[TRK_IMM_M] = {0.0, p->omega_rad_s, -p->omega_rad_s};
    const double sa[TRK_IMM_M] = {p->sigma_a_cv, p->sigma_a_ct, p->sigma_a_ct};
    if (dt_s < 0.0)
        dt_s = 0.0;
    double stay = p->tau_s > 0.0 ? exp(-dt_s / p->tau_s) : 1.0;
    double off = (1.0 - stay) / (TRK_IMM_M - 1);

    /* Mixing: c_j = sum_i p_ij mu_i, mu_i|j = p_ij mu_i / c_j. */
    double c[TRK_IMM_M], x0[TRK_IMM_M][4], P0[TRK_IMM_M][16];
    for (int j = 0; j < TRK_IMM_M; j++) {
        c[j] = 0.0;
        for (int i = 0; i < TRK_IMM_M; i++)
            c[j] += (i == j ? stay : off) * f->mu[i];
    }
    for (int j = 0; j < TRK_IMM_M; j++) {
        double wm[TRK_IMM_M];
        for (int i = 0; i < TRK_IMM_M; i++)
            wm[i] = (i == j ? stay : off) * f->mu[i] / c[j];
        for (int k = 0; k < 4; k++) {
            x0[j][k] = 0.0;
            for (int i = 0; i < TRK_IMM_M; i++)
                x0[j][k] += wm[i] * f->x[i][k];
        }
        memset(P0[j], 0, sizeof P0[j]);
        for (int i = 0; i < TRK_IMM_M; i++) {
            if (wm[i] == 0.0)
                continue;
            double d[4];
            for (int k = 0; k < 4; k++)
                d[k] = f->x[i][k] - x0[j][k];
            /* exactly symmetric, as in combine: the lower triangle */
            for (int r = 0; r < 4; r++)
                for (int q = 0; q <= r; q++)
                    P0[j][r * 4 + q] += wm[i] * (f->P[i][r * 4 + q] + d[r] * d[q]);
        }
        for (int r = 0; r < 4; r++)
            for (int q = 0; q < r; q++)
                P0[j][q * 4 + r] = P0[j][r * 4 + q];
    }

    /* Predict and update each model. The two turns share |w|: one sincos. */
    double sw = 0.0, cw = 1.0, aw = dt_s, bw = 0.0;
    if (fabs(p->omega_rad_s * dt_s) >= 1e-9) {
        sw = sin(p->omega_rad_s * dt_s);
        cw = cos(p->omega_rad_s * dt_s);
        aw = sw / p->omega_rad_s;
        bw = (1.0 - cw) / p->omega_rad_s;
    }
    double d2s[TRK_IMM_M], det[TRK_IMM_M], best_d2 = -1.0;
    int ok = 0;
    for (int j = 0; j < TRK_IMM_M; j++) {
        if (w[j] == 0.0) /* CV */
            predict(x0[j], P0[j], dt_s, 0.0, 1.0, 0.0, sa[j], dt_s, f->x[j], f->P[j]);
        else if (w[j] > 0.0) /* turn left */
            predict(x0[j], P0[j], aw, bw, cw, sw, sa[j], dt_s, f->x[j], f->P[j]);
        else /* turn right: sin and b change sign */
            predict(x0[j], P0[j], aw, -bw, cw, -sw, sa[j], dt_s, f->x[j], f->P[j]);
        /* literal sizes, so the inlined update is unrolled for each */
        double d2 = m == 4 ? kf_update(f->x[j], f->P[j], z, R, 4, &det[j])
                           : kf_update(f->x[j], f->P[j], z, R, 2, &det[j]);
        d2s[j] = d2;
        if (d2 < 0.0)
            continue;
        ok++;
        if (best_d2 < 0.0 || d2 < best_d2)
            best_d2 = d2;
    }
    if (ok > 0) {
        /* Likelihood N(nu; 0, S_j) = exp(-d2_j / 2) / sqrt((2 pi)^m det S_j);
         * the (2 pi)^m cancels in the normalisation, and taking d2 relative
         * to the best model keeps the exponentials from underflowing
         * together (and saves the logarithms). */
        double sum = 0.0;
        for (int j = 0; j < TRK_IMM_M; j++) {
            f->mu[j] = d2s[j] >= 0.0 ? exp(-0.5 * (d2s[j] - best_d2)) / sqrt(det[j]) * c[j] : 0.0;
            sum += f->mu[j];
        }
        for (int j = 0; j < TRK_IMM_M; j++)
            f->mu[j] = sum > 0.0 ? f->mu[j] / sum : 1.0 / TRK_IMM_M;
    } else {
        memcpy(f->mu, c, sizeof c);
    }
    double sum = 0.0;
    for (int j = 0; j < TRK_IMM_M; j++) {
        if (f->mu[j] < MU_FLOOR)
            f->mu[j] = MU_FLOOR;
        sum += f->mu[j];
    }
    for (int j = 0; j < TRK_IMM_M; j++)
        f->mu[j] /= sum;
    combine(f);
    return ok > 0 ? best_d2 : -1.0;
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
    double s00 = P[0] + 2.0 * T * P[2] + T * T * P[10] + q11 + R[0];
    double s01 = P[1] + T * (P[3] + P[6]) + T * T * P[11] + R[1];
    double s11 = P[5] + 2.0 * T * P[7] + T * T * P[15] + q11 + R[3];
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
            for (int c = 0; c < 4; c++)
                P[r * 4 + c] *= d[r] * d[c];
    }
}
