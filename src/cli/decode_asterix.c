/*
 * decode_asterix.c — `cairn decode` for this input family. Not built yet: the
 * decoder for it is being written (see the issue tracker).
 */
#include <stdio.h>

#include "cli/cli.h"

int cli_decode_asterix(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "cairn decode: the asterix decoder is not built into this version\n");
    return 1;
}
