/*
 * assign.c — Hungarian method, shortest augmenting paths with potentials
 * (see assign.h for the method and its sources).
 *
 * Indices are 1-based inside, with row 0 / column 0 as the virtual start of
 * each augmenting path, which keeps the inner loop free of special cases.
 */
#include "track/assign.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>

#define NMAX (2 * TRK_ASSIGN_MAX + 1)

void trk_assign(const double *cost, int n, int m, int *row_col)
{
    assert(n >= 1 && n <= m && m < NMAX);
    double u[NMAX] = {0}, v[NMAX] = {0}, minv[NMAX];
    int p[NMAX] = {0}, way[NMAX] = {0};
    bool used[NMAX];

    for (int i = 1; i <= n; i++) {
        p[0] = i;
        int j0 = 0;
        for (int j = 0; j <= m; j++) {
            minv[j] = INFINITY;
            used[j] = false;
        }
        do {
            used[j0] = true;
            int i0 = p[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= m; j++) {
                if (used[j])
                    continue;
                double cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (int j = 0; j <= m; j++) {
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            int j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    for (int j = 1; j <= m; j++)
        if (p[j] != 0)
            row_col[p[j] - 1] = j - 1;
}
