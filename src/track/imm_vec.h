/*
 * imm_vec.h — the IMM's mixing, prediction and update with the models in
 * the lanes of a vector (imm.c explains it), written once for two widths:
 * imm.c includes this file with
 *   VT    the vector type: 4 doubles (one track: lane j model j, lane 3 a
 *         copy of model 0) or 8 (two tracks: lanes 0-3 track a as before,
 *         lanes 4-7 track b),
 *   VW    its width (4 or 8),
 *   NAME  the function's name.
 * Each lane does exactly the arithmetic of predict() and kf_update() in
 * their order: every lane's result is bit for bit the scalar one, and two
 * tracks side by side give what each gives alone. Two tracks at once are
 * for the latency: one track's update is a chain of square roots and
 * divisions (the Cholesky factor), which the other's fills.
 *
 * Returns bit 0 when track a was updated, bit 1 when track b was (VW 8):
 * a track whose innovation covariance is not positive definite in a lane
 * is left untouched here, for the scalar fallback.
 */
#if VW == 4
#define LD(A, B) ((VT){(A), (A), (A), (A)})
#define LN(F)    ((VT){la->F[0], la->F[1], la->F[2], la->F[3]})
#else
#define LD(A, B) ((VT){(A), (A), (A), (A), (B), (B), (B), (B)})
#define LN(F)    ((VT){la->F[0], la->F[1], la->F[2], la->F[3], lb->F[0], lb->F[1], lb->F[2], lb->F[3]})
#endif

static inline __attribute__((always_inline)) int
NAME(struct trk_imm *fa, struct trk_imm *fb, const struct imm_lanes *la, const struct imm_lanes *lb,
     const double *za, const double *zb, const double *Ra, const double *Rb, int m,
     double d2a[TRK_IMM_M], double deta[TRK_IMM_M], double d2b[TRK_IMM_M], double detb[TRK_IMM_M])
{
    (void)fb, (void)lb, (void)zb, (void)Rb, (void)d2b, (void)detb;
    const VT wm[TRK_IMM_M] = {LN(wm[0]), LN(wm[1]), LN(wm[2])};
    const VT a = LN(a), b = LN(b), c = LN(c), s = LN(s), q11 = LN(q11), q13 = LN(q13),
             q33 = LN(q33);
    /* mixing (the lower triangle, as in the scalar code) */
    VT X[4], P[16];
    for (int k = 0; k < 4; k++) {
        X[k] = LD(0.0, 0.0);
        for (int i = 0; i < TRK_IMM_M; i++)
            X[k] += wm[i] * LD(fa->x[i][k], fb->x[i][k]);
    }
    for (int e = 0; e < 16; e++)
        P[e] = LD(0.0, 0.0);
    for (int i = 0; i < TRK_IMM_M; i++) {
        VI use = wm[i] != 0.0; /* the scalar code skips a zero weight */
        VT d[4];
        for (int k = 0; k < 4; k++)
            d[k] = LD(fa->x[i][k], fb->x[i][k]) - X[k];
        for (int r = 0; r < 4; r++)
            for (int q = 0; q <= r; q++) {
                VT t = wm[i] *
                       (LD(fa->P[i][TRK_IMM_LT(r, q)], fb->P[i][TRK_IMM_LT(r, q)]) + d[r] * d[q]);
                P[r * 4 + q] += (VT)((VI)t & use);
            }
    }
    for (int r = 0; r < 4; r++)
        for (int q = 0; q < r; q++)
            P[q * 4 + r] = P[r * 4 + q];

    /* prediction: predict() */
    VT xo[4], Po[16], FP[16];
    xo[0] = X[0] + a * X[2] - b * X[3];
    xo[1] = X[1] + b * X[2] + a * X[3];
    xo[2] = c * X[2] - s * X[3];
    xo[3] = s * X[2] + c * X[3];
    for (int j = 0; j < 4; j++) {
        VT p2 = P[8 + j], p3 = P[12 + j];
        FP[j] = P[j] + a * p2 - b * p3;
        FP[4 + j] = P[4 + j] + b * p2 + a * p3;
        FP[8 + j] = c * p2 - s * p3;
        FP[12 + j] = s * p2 + c * p3;
    }
    for (int i = 0; i < 4; i++) {
        const VT *r = &FP[i * 4];
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
    Po[1] = Po[4];
    Po[2] = Po[8];
    Po[3] = Po[12];
    Po[6] = Po[9];
    Po[7] = Po[13];
    Po[11] = Po[14];

    /* update: kf_update() */
    VT L[16], Li[4], nu[4], y[4], W[16];
    VT prod = LD(1.0, 1.0);
    int ok_a = 1, ok_b = VW == 8;
    for (int i = 0; i < m; i++) {
        nu[i] = LD(za[i], zb[i]) - xo[i];
        for (int j = 0; j <= i; j++) {
            VT t = Po[i * 4 + j] + LD(Ra[i * m + j], Rb[i * m + j]);
            for (int k = 0; k < j; k++)
                t -= L[i * 4 + k] * L[j * 4 + k];
            if (i == j) {
                ok_a &= t[0] > 0.0 && t[1] > 0.0 && t[2] > 0.0;
#if VW == 4
                if (!ok_a)
                    return 0;
#else
                ok_b &= t[4] > 0.0 && t[5] > 0.0 && t[6] > 0.0;
                if (!ok_a && !ok_b)
                    return 0;
#endif
                prod *= t;
                L[i * 4 + i] = VSQRT(t);
                Li[i] = LD(1.0, 1.0) / L[i * 4 + i];
            } else {
                L[i * 4 + j] = t * Li[j];
            }
        }
    }
    VT d2 = LD(0.0, 0.0);
    for (int i = 0; i < m; i++) {
        VT t = nu[i];
        for (int k = 0; k < i; k++)
            t -= L[i * 4 + k] * y[k];
        y[i] = t * Li[i];
        d2 += y[i] * y[i];
        for (int col = 0; col < 4; col++) {
            VT w = Po[i * 4 + col];
            for (int k = 0; k < i; k++)
                w -= L[i * 4 + k] * W[k * 4 + col];
            W[i * 4 + col] = w * Li[i];
        }
    }
    for (int col = 0; col < 4; col++) {
        VT t = LD(0.0, 0.0);
        for (int k = 0; k < m; k++)
            t += W[k * 4 + col] * y[k];
        xo[col] += t;
    }
    for (int r = 0; r < 4; r++)
        for (int col = 0; col <= r; col++) {
            VT t = LD(0.0, 0.0);
            for (int k = 0; k < m; k++)
                t += W[k * 4 + r] * W[k * 4 + col];
            Po[r * 4 + col] -= t;
        }
    for (int h = 0; h < VW / 4; h++) {
        struct trk_imm *f = h ? fb : fa;
        double *d2s = h ? d2b : d2a, *det = h ? detb : deta;
        if (!(h ? ok_b : ok_a))
            continue;
        for (int j = 0; j < TRK_IMM_M; j++) {
            for (int k = 0; k < 4; k++)
                f->x[j][k] = xo[k][4 * h + j];
            for (int r = 0; r < 4; r++)
                for (int col = 0; col <= r; col++)
                    f->P[j][TRK_IMM_LT(r, col)] = Po[r * 4 + col][4 * h + j];
            d2s[j] = d2[4 * h + j];
            det[j] = prod[4 * h + j];
        }
    }
    return ok_a | ok_b << 1;
}

#undef LD
#undef LN
