/*
 * link.h — the hotline link: TLS 1.3 sessions between this centre and the
 * centres on its roster, over libevent, delivering the journal's messages
 * and bringing back receipts.
 *
 * Key idea: the link holds no message state of its own. Everything that
 * must survive a crash is in the journal (hotline/journal.h); a session
 * only keeps cursors (next seq to send, highest seq receipted) that it
 * re-derives from the journal and the peer's HELLO on every connection.
 * So a session can be dropped at any moment — kill -9, a lost cable, a
 * protocol violation — and the next one resumes: the sender resends every
 * message it holds no receipt for, the receiver recognises duplicates and
 * re-issues the receipt it gave the first time.
 *
 * Incoming MSG and RECEIPT frames read in one event-loop turn are applied in
 * one journal transaction (group commit: one fsync for the batch); the
 * receipts produced are written to the peer only after that commit returns.
 *
 * The session states, the frames and the invariants are documented in
 * docs/hotline-link.md (with a diagram, as SQLite's pager.c does).
 *
 * Threads: one link runs on one event_base in one thread, with the journal
 * it was given. The process must ignore SIGPIPE (a peer that vanishes while
 * we write is an ordinary error here, reported as a closed connection).
 */
#ifndef CAIRN_HOTLINE_LINK_H
#define CAIRN_HOTLINE_LINK_H

#include <stdint.h>

#include "base/clock.h"
#include "base/dbuf.h"
#include "hotline/frame.h"
#include "hotline/identity.h"
#include "hotline/journal.h"
#include "hotline/tls.h"

struct event_base;
struct hl_link;

/* Hooks for the embedding program (daemon, benchmark, tests). All optional;
 * called on the link's thread after the journal commit they report. */
struct hl_link_hooks {
    /* A receipt covering our message (peer, seq) is now durable in our
     * journal. Receipts are cumulative: one stored receipt for seq n calls
     * this once for every seq it newly covers, in order. */
    void (*on_delivered)(void *arg, const char *peer, uint64_t seq);
    /* A message from peer was stored (new, not a duplicate). m is borrowed. */
    void (*on_received)(void *arg, const char *peer, const struct hl_msg *m);
    /* A session with peer opened (up = 1) or closed (up = 0). */
    void (*on_session)(void *arg, const char *peer, int up);
    /* The HELLOs show that a journal lost messages it had stored (L11): a
     * restore from an older copy, a lost WAL. who_lost is the centre whose
     * journal lacks them (peer or self), from/to the direction, first..last
     * the seqs lost. healed: the link resends them (the sender still holds
     * them); 0 when it cannot (the sender itself lost them). */
    void (*on_lost)(void *arg, const char *peer, const char *who_lost, const char *from,
                    const char *to, uint64_t first, uint64_t last, int healed);
    void *arg;
    /* A PICTURE from peer over its open session (L12): pic is borrowed for
     * the call (its data are the peer's bytes, unchecked). Not journaled;
     * called at once, outside the batch. */
    void (*on_picture)(void *arg, const char *peer, const struct hl_picture *pic);
};

struct hl_link_config {
    const struct hl_identity *self;  /* borrowed; TLS cert/key paths inside */
    const struct hl_roster *roster;  /* borrowed */
    struct hl_journal *journal;      /* borrowed */
    const struct cairn_clock *clock; /* borrowed; the journal's time (cases); NULL = real */
    /* borrowed; monotonic ms for every duration the link decides on
     * (heartbeats, dead peers, handshake deadline, backoff, batch age,
     * checkpoint interval, log windows); NULL = cairn_clock_mono. Tests
     * give a fake clock, advance it and call hl_link_tick. */
    const struct cairn_clock *mono;
    const char *listen;        /* "host:port" to listen on, or NULL */
    int64_t heartbeat_ms;      /* probe interval; 0 = 1000 */
    int64_t dead_ms;           /* silence before a peer is dead; 0 = 4 × heartbeat */
    int64_t backoff_min_ms;    /* first reconnect delay; 0 = 100 */
    int64_t backoff_max_ms;    /* cap of the doubling; 0 = 10000 */
    int64_t checkpoint_ms;     /* checkpoint interval; 0 = 60000, < 0 = never */
    uint64_t checkpoint_every; /* also after this many messages; 0 = 1000 */
    uint32_t window;           /* MSG frames in flight per session; 0 = 4096 */
    /* Admission (docs/hotline-link.md, A1-A6): accepted connections that
     * have not completed TLS + HELLO. */
    int64_t handshake_ms;       /* deadline for TLS + HELLO (outbound: +5,120 ms, A2); 0 = 3000 */
    uint32_t unauth_max;        /* budget of such connections; 0 = 256 */
    uint32_t unauth_per_source; /* of which from one IPv4 address or IPv6 /64; 0 = 128 */
    struct hl_link_hooks hooks;
};

/* Counters, exposed as Prometheus metrics (hl_link_metrics). */
struct hl_link_stats {
    uint64_t sessions_opened, sessions_closed;
    uint64_t dials, dial_failures, accepts;
    uint64_t accepts_refused;    /* closed by admission: evicted for a newer one, or refused */
    uint64_t unauth_evicted;     /* of which evicted because the budget was full (A3) */
    uint64_t source_limited;     /* of which evicted for their source's limit (A4) */
    uint64_t handshake_timeouts; /* inbound connections without TLS + HELLO in time (A2) */
    uint64_t handshake_failures; /* TLS refused (version, certificate, garbage) */
    uint64_t hello_refused;      /* HELLO naming a centre other than the certificate's */
    uint64_t races_resolved;     /* duplicate sessions closed by the tie-break rule */
    uint64_t proto_violations;   /* frames out of order, undecodable payloads */
    uint64_t truncated_frames;   /* connection ended inside a frame */
    uint64_t dead_peers;         /* closed after heartbeat silence */
    uint64_t msgs_sent, msgs_resent, receipts_sent, receipts_received;
    uint64_t msgs_received, msgs_duplicate, msgs_rejected;
    uint64_t errors_received;         /* ERROR frames from peers */
    uint64_t batches, batch_failures; /* group commits, and those that failed */
    uint64_t nospace;                 /* commits refused for a full disk */
    uint64_t checkpoints_sent, checkpoints_countersigned, checkpoints_stored;
    uint64_t peer_lost;   /* HELLOs showing the peer lost messages it had stored (L11) */
    uint64_t self_lost;   /* HELLOs showing our journal lost messages (L11) */
    uint64_t msgs_healed; /* messages resent because the peer lost them */
    struct hl_frame_stats frames;
    /* PICTURE frames (L12) */
    uint64_t pictures_sent, picture_bytes_sent;
    uint64_t pictures_skipped; /* not queued: the session's output was full (superseded) */
    uint64_t pictures_received, picture_bytes_received;
    uint64_t pictures_malformed; /* undecodable header: dropped, counted */
    uint64_t pictures_stale;     /* seq not above the session's last: dropped */
};

/*
 * Create the link on base: listen (if cfg->listen), and dial every roster
 * centre other than self that has an address. cfg and everything it points
 * to are borrowed and must outlive the link. 0, CAIRN_E_IO (TLS files,
 * listen address), CAIRN_E_INVAL, CAIRN_E_NOMEM; failures are logged.
 */
int hl_link_new(struct event_base *base, const struct hl_link_config *cfg, struct hl_link **out);
/* Close every session and free; accepts NULL. */
void hl_link_free(struct hl_link *l);
/* New outgoing messages are in the journal for peer (NULL = any): send them. */
void hl_link_kick(struct hl_link *l, const char *peer);
/* Commit the link's open journal batch now and release its receipts. Call
 * it before using the journal outside the link (appending, listing, cases):
 * the link keeps a transaction open across read turns (group commit), and
 * anything written inside it would not be durable until the link commits. */
void hl_link_flush(struct hl_link *l);
/* Open (or join) the link's journal batch so that the caller's
 * hl_journal_append_outgoing() calls share the link's next fsync (group
 * commit on the sending side). Nothing is sent before that commit, which
 * runs in the next event-loop turn with no I/O ready; the caller must not
 * call hl_journal_begin/commit itself meanwhile, and must not report the
 * messages as durable until the commit (hl_link_flush forces it). If that
 * commit fails (full disk) the appends are gone with it; batch_failures in
 * the stats counts such commits. The daemon does not use this (an
 * operator's send is answered only after its own commit); bench_hotline does.
 * 0 or the journal's error. */
int hl_link_batch(struct hl_link *l);
/* Make and send a checkpoint to every peer with an open session now (at a
 * clean shutdown: let the loop run a moment after it for the
 * countersignatures to come back). */
void hl_link_checkpoint(struct hl_link *l);
/* Run the link's time-driven checks now against its monotonic clock
 * (cfg->mono): handshake deadlines, dead peers, heartbeat probes, dials and
 * checkpoints that are due, log summaries. The link's own libevent timers
 * call the same checks on their schedule; a test on a fake clock advances
 * the clock and calls this instead of sleeping. */
void hl_link_tick(struct hl_link *l);
/*
 * Send peer a PICTURE (L12): the header for (seq, t_utc_ms) and data[0..len)
 * (the data blocks, copied) as one frame on its open session. Nothing is
 * journaled and nothing is resent: the next picture supersedes it. 0 sent
 * (queued), CAIRN_E_NOTFOUND (not a roster peer), CAIRN_E_STATE (no open
 * session: never to a connection whose peer is not proven), CAIRN_E_TOOBIG
 * (over HL_PICTURE_MAX_LEN), CAIRN_E_FULL (the session's output already
 * holds 256 KiB: skipped, counted; messages and receipts come first).
 */
int hl_link_send_picture(struct hl_link *l, const char *peer, uint64_t seq, int64_t t_utc_ms,
                         const uint8_t *data, size_t len);
/* Counters (live). */
const struct hl_link_stats *hl_link_stats(const struct hl_link *l);
/* The TLS refusal counters (live). */
const struct hl_tls_stats *hl_link_tls_stats(const struct hl_link *l);
/* 1 when a session with peer is open. */
int hl_link_is_up(const struct hl_link *l, const char *peer);
/* Whether the open session with peer is one we dialled (1), one we accepted
 * (0), or there is none (-1). Both ends of one session answer differently. */
int hl_link_session_outbound(const struct hl_link *l, const char *peer);
/* Append the counters as Prometheus text exposition format. */
int hl_link_metrics(const struct hl_link *l, struct dbuf *out);
/* The port the listener is bound to (after "host:0"), or 0. */
int hl_link_listen_port(const struct hl_link *l);

#endif
