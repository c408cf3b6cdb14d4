/*
 * assign.h — optimal assignment of measurements to tracks within one
 * cluster (private to src/track).
 *
 * The Hungarian method in its shortest-augmenting-path form with row and
 * column potentials (H. W. Kuhn, "The Hungarian method for the assignment
 * problem", Naval Res. Logist. Q. 2, 1955; J. Munkres, J. SIAM 5(1), 1957;
 * the O(n^2 m) formulation of R. Jonker and A. Volgenant, Computing 38,
 * 1987): adds the rows one by one, each time along the cheapest path of
 * alternating free and matched columns, adjusting potentials so reduced
 * costs stay non-negative. Exact for rectangular problems with n <= m.
 *
 * track.c builds, per cluster, n measurement rows and k track columns
 * followed by n "no track" columns (column k+i costs the gate for row i and
 * is forbidden for the other rows), so every row is assigned and a
 * measurement stays unassigned only when that is cheaper.
 */
#ifndef CAIRN_TRACK_ASSIGN_H
#define CAIRN_TRACK_ASSIGN_H

/* Largest number of rows (measurements) and of tracks in one exactly
 * solved cluster; larger clusters are solved greedily. 32 covers a
 * formation or a crowded approach with room to spare: clusters are
 * usually 1 to 3 plots. */
#define TRK_ASSIGN_MAX 32

/* A cost that forbids a pair; larger than any real cost, small enough that
 * sums of a cluster's costs stay exact in a double. */
#define TRK_ASSIGN_FORBID 1e9

/*
 * cost: n x m, row-major (borrowed), 1 <= n <= m <= 2 * TRK_ASSIGN_MAX.
 * row_col[i] receives the column assigned to row i; the total cost is the
 * least possible.
 */
void trk_assign(const double *cost, int n, int m, int *row_col);

#endif
