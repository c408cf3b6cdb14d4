/*
 * hl_fixture.h — shared set-up for the hotline core tests: deterministic
 * identities (keys from fixed seeds, no files), a roster of them, a
 * temporary folder for journals, and message builders that satisfy the
 * catalogue.
 */
#ifndef CAIRN_TESTS_HL_FIXTURE_H
#define CAIRN_TESTS_HL_FIXTURE_H

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotline/catalogue.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/msg.h"

/* 2026-11-22T00:00:00Z: every test's clock starts here. */
#define FX_T0 1795305600000LL

static inline void fx_identity(struct hl_identity *id, const char *name, const char *party,
                               uint8_t seed_byte)
{
    uint8_t seed[crypto_sign_SEEDBYTES];
    memset(seed, seed_byte, sizeof seed);
    memset(id, 0, sizeof *id);
    snprintf(id->name, sizeof id->name, "%s", name);
    snprintf(id->party, sizeof id->party, "%s", party);
    crypto_sign_seed_keypair(id->sign_pk, id->sign_sk, seed);
}

static inline void fx_roster_add(struct hl_roster *r, const struct hl_identity *id)
{
    struct hl_centre *c = &r->c[r->n++];
    memset(c, 0, sizeof *c);
    memcpy(c->name, id->name, strlen(id->name) + 1);
    memcpy(c->party, id->party, strlen(id->party) + 1);
    memcpy(c->sign_pk, id->sign_pk, HL_PK_LEN);
    /* a fingerprint unique per centre, derived from its key */
    crypto_hash_sha256(c->tls_fp, id->sign_pk, HL_PK_LEN);
    snprintf(c->address, sizeof c->address, "127.0.0.1:0");
}

/* Two centres of the two parties, and a third that no roster lists. */
struct fx {
    struct hl_identity a, b, x;
    struct hl_roster roster; /* a and b */
    char dir[64];
    char path_a[128], path_b[128];
    struct hl_journal *ja, *jb;
};

static inline int fx_setup(struct fx *f)
{
    if (sodium_init() < 0)
        return -1;
    memset(f, 0, sizeof *f);
    fx_identity(&f->a, "WARSAW-CC", "NATO", 0xA1);
    fx_identity(&f->b, "MOSCOW-CC", "RU", 0xB2);
    fx_identity(&f->x, "INTRUDER", "NONE", 0xC3);
    fx_roster_add(&f->roster, &f->a);
    fx_roster_add(&f->roster, &f->b);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/hltest.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path_a, sizeof f->path_a, "%s/a.db", f->dir);
    snprintf(f->path_b, sizeof f->path_b, "%s/b.db", f->dir);
    if (hl_journal_open(f->path_a, &f->a, &f->roster, &f->ja) ||
        hl_journal_open(f->path_b, &f->b, &f->roster, &f->jb))
        return -1;
    return 0;
}

static inline void fx_teardown(struct fx *f)
{
    hl_journal_close(f->ja);
    hl_journal_close(f->jb);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

/* A valid FREE_TEXT to `to` with body text. */
static inline void fx_free_text(struct hl_msg *m, const char *to, const char *body)
{
    hl_msg_init(m, HL_T_FREE_TEXT);
    hl_msg_set_receiver(m, to);
    hl_msg_add_str(m, "body", body);
}

/* A sample value for each field type, valid for the catalogue. */
static inline int fx_fill_field(struct hl_msg *m, const struct hl_field_spec *fs, int64_t t)
{
    switch (fs->type) {
    case HL_F_TEXT:
        return hl_msg_add_str(m, fs->name, "Ил-20 над Балтикой / Il-20 over the Baltic");
    case HL_F_INT:
        return hl_msg_add_int(m, fs->name, 12500);
    case HL_F_TIME:
        return hl_msg_add_int(m, fs->name, t);
    case HL_F_SEQ:
        return hl_msg_add_int(m, fs->name, 1);
    case HL_F_TRACK:
        return hl_msg_add_str(m, fs->name, "icao:4CA1F2");
    case HL_F_POS:
        return hl_msg_add_str(m, fs->name, "55.35,12.95");
    case HL_F_AREA:
        return hl_msg_add_str(m, fs->name, "54.5,19.0;55.0,20.5;54.3,21.0");
    case HL_F_ENUM: {
        char v[64];
        const char *e = strchr(fs->enums, '|');
        size_t n = e ? (size_t)(e - fs->enums) : strlen(fs->enums);
        memcpy(v, fs->enums, n);
        v[n] = 0;
        return hl_msg_add_str(m, fs->name, v);
    }
    }
    return -1;
}

/* A message of type t with every field (all = true) or only the required ones. */
static inline int fx_full_msg(struct hl_msg *m, enum hl_type t, const char *to, bool all,
                              int64_t time_ms)
{
    const struct hl_type_spec *ts = hl_catalogue_get(t);
    hl_msg_init(m, t);
    hl_msg_set_receiver(m, to);
    for (size_t i = 0; i < ts->n_fields; i++)
        if (all || ts->fields[i].required)
            if (fx_fill_field(m, &ts->fields[i], time_ms))
                return -1;
    return 0;
}

/* Send m from ja to jb: append, encode, accept. Returns the accept result;
 * *rc_out gets the receipt. */
static inline int fx_deliver(struct hl_journal *from, struct hl_journal *to, struct hl_msg *m,
                             int64_t now_send, int64_t now_recv, struct hl_receipt *r)
{
    int64_t seq = hl_journal_append_outgoing(from, m, now_send);
    if (seq <= 0)
        return (int)seq;
    uint8_t raw[HL_MSG_MAX_LEN];
    int n = hl_msg_encode(m, raw, sizeof raw);
    if (n < 0)
        return n;
    int rc = hl_journal_accept_incoming(to, raw, (size_t)n, now_recv, r, NULL);
    if (rc < 0)
        return rc;
    int rs = hl_journal_store_receipt_struct(from, r);
    return rs ? rs : rc;
}

#endif
