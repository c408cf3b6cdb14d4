/*
 * decode.c — `cairn decode`: pick the input family and hand over.
 *
 * --format names the input: beast, avr, sbs, iq (Mode S, cli/decode_modes.c);
 * nmea (AIS, cli/decode_ais.c); asterix, pcap (cli/decode_asterix.c). Without
 * --format the first file's name decides (.beast, .avr, .sbs/.txt with SBS
 * lines, .bin/.iq/.cu8/.cs16, .nmea/.aivdm/.ais/.log, .ast/.asterix/.ff,
 * .pcap/.pcapng), and Beast is the default for anything else.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

enum family { FAM_UNKNOWN, FAM_MODES, FAM_AIS, FAM_ASTERIX };

static enum family family_of_format(const char *f)
{
    static const char *const modes[] = {"beast", "avr", "sbs", "iq", "rtlsdr"};
    static const char *const asterix[] = {"asterix", "pcap", "final", "hdlc"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(f, modes[i]))
            return FAM_MODES;
    if (!strcmp(f, "nmea") || !strcmp(f, "ais"))
        return FAM_AIS;
    for (size_t i = 0; i < sizeof asterix / sizeof asterix[0]; i++)
        if (!strcmp(f, asterix[i]))
            return FAM_ASTERIX;
    return FAM_UNKNOWN;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static enum family family_of_file(const char *path)
{
    static const char *const ais[] = {".nmea", ".aivdm", ".ais", ".log", "ais_test_messages"};
    static const char *const ast[] = {".ast",    ".asterix", ".ff", ".pcap",
                                      ".pcapng", ".raw",     ".gps"};
    for (size_t i = 0; i < sizeof ais / sizeof ais[0]; i++)
        if (ends_with(path, ais[i]))
            return FAM_AIS;
    for (size_t i = 0; i < sizeof ast / sizeof ast[0]; i++)
        if (ends_with(path, ast[i]))
            return FAM_ASTERIX;
    return FAM_MODES;
}

int cli_decode(int argc, char **argv)
{
    enum family fam = FAM_UNKNOWN;
    const char *first_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            fam = family_of_format(argv[i + 1]);
            if (fam == FAM_UNKNOWN) {
                fprintf(stderr,
                        "cairn decode: unknown format '%s' (beast, avr, sbs, iq, "
                        "nmea, asterix, pcap)\n",
                        argv[i + 1]);
                return 2;
            }
            i++;
        } else if (!strncmp(argv[i], "--format=", 9)) {
            fam = family_of_format(argv[i] + 9);
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            /* With a known --format, that family's own --help says it all. */
            if (fam == FAM_UNKNOWN) {
                printf("usage: cairn decode [--format beast|avr|sbs|iq|rtlsdr|nmea|asterix|pcap] "
                       "[options] FILE...\n"
                       "Decodes recordings to JSON Lines on standard output, one object per\n"
                       "message ('-' reads standard input). 'cairn decode --format F --help'\n"
                       "lists the options of each format.\n");
                return 0;
            }
        } else if ((!strcmp(argv[i], "--edition") || !strcmp(argv[i], "--framing")) &&
                   i + 1 < argc) {
            i++; /* asterix options with a value: the value is not a file */
        } else if (argv[i][0] != '-' && !first_file) {
            first_file = argv[i];
        }
    }
    if (fam == FAM_UNKNOWN)
        fam = first_file ? family_of_file(first_file) : FAM_MODES;
    switch (fam) {
    case FAM_AIS:
        return cli_decode_ais(argc, argv);
    case FAM_ASTERIX:
        return cli_decode_asterix(argc, argv);
    default:
        return cli_decode_modes(argc, argv);
    }
}
