/*
 * test_trk_grid.c — grid_move's test without divisions (track.c): a track
 * whose new position is surely inside its cell stays there without
 * grid_row and grid_col; everywhere else they decide. Positions all over
 * the globe and right at the edges of their cells (within 1e-15 to 1e-3
 * of a cell of either side, rows and columns), each compared with the
 * cell grid_row and grid_col give. Compiles track.c itself for its static
 * functions (nothing of cairn_track's track.o is linked beside it).
 * Seeded, no clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../../src/track/track.c"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double unif(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* a small signed offset, 1e-15 to 1e-3 of size */
static double tiny(double size)
{
    return (unif() - 0.5) * size * pow(10.0, -3.0 - 12.0 * unif());
}

static void move_and_check(struct trk_table *t, uint64_t from, double lat, double lon)
{
    if (lat < -90.0)
        lat = -90.0;
    if (lat > 90.0)
        lat = 90.0;
    if (lon < -180.0)
        lon = -180.0;
    if (lon > 180.0)
        lon = 180.0;
    grid_link(t, 0, from);
    grid_move(t, 0, lat, lon);
    int r = grid_row(t, lat);
    assert_true(t->gnode[0].cell == cell_key(r, grid_col(t, r, lon)));
    grid_unlink(t, 0);
}

static void test_grid_move_cells(void **state)
{
    (void)state;
    struct trk_config c;
    trk_config_default(&c);
    c.max_tracks = 4;
    struct trk_table *t = NULL;
    assert_int_equal(trk_new(&c, &t), 0);
    for (int k = 0; k < 300000; k++) {
        double lat = -90.0 + 180.0 * unif(), lon = -180.0 + 360.0 * unif();
        int r = grid_row(t, lat), col = grid_col(t, r, lon);
        uint64_t from = cell_key(r, col);
        double w = t->row_lon_cell[r];
        switch (k % 4) {
        case 0: /* anywhere near: the same cell or a neighbour */
            move_and_check(t, from, lat + tiny(1e3 * c.cell_deg), lon + tiny(1e3 * w));
            break;
        case 1: /* at the row's southern or northern edge */
            move_and_check(t, from, (r + (k & 4 ? 1 : 0)) * c.cell_deg - 90.0 + tiny(c.cell_deg),
                           lon);
            break;
        case 2: /* at the column's western or eastern edge */
            move_and_check(t, from, lat, (col + (k & 4 ? 1 : 0)) * w - 180.0 + tiny(w));
            break;
        default: /* at a corner */
            move_and_check(t, from, (r + (k & 4 ? 1 : 0)) * c.cell_deg - 90.0 + tiny(c.cell_deg),
                           (col + (k & 8 ? 1 : 0)) * w - 180.0 + tiny(w));
            break;
        }
    }
    /* from the key a new track starts at (create: cell 0) */
    move_and_check(t, 0, -89.99, -179.99);
    move_and_check(t, 0, 50.0, 5.0);
    trk_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_move_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
