/*
 * error.h — cairn's one error list.
 *
 * Every fallible function in cairn returns 0 (or a count of bytes/elements)
 * on success and one of the negative codes below on failure; stream parsers
 * return bytes consumed or CAIRN_E_NEEDMORE. The list is an X-macro so the
 * enum and cairn_strerror() cannot drift apart (the libuv errno.h habit).
 *
 * Adding a code: append a line in the section of your module, keep the
 * message short, lowercase and free of a trailing full stop.
 */
#ifndef CAIRN_BASE_ERROR_H
#define CAIRN_BASE_ERROR_H

#define CAIRN_ERRORS(X)                                                                            \
    /* generic */                                                                                  \
    X(NEEDMORE, "need more input")                                                                 \
    X(INVAL, "invalid argument")                                                                   \
    X(NOMEM, "out of memory")                                                                      \
    X(IO, "input/output error")                                                                    \
    X(FULL, "buffer, table or queue full")                                                         \
    X(TOOBIG, "input larger than allowed")                                                         \
    X(TRUNCATED, "input truncated")                                                                \
    X(FORMAT, "malformed input")                                                                   \
    X(RANGE, "value out of range")                                                                 \
    X(UNSUPPORTED, "not supported")                                                                \
    X(NOTFOUND, "not found")                                                                       \
    X(EXISTS, "already exists")                                                                    \
    X(TIMEOUT, "timed out")                                                                        \
    X(STATE, "operation not valid in this state")                                                  \
    X(CHECKSUM, "checksum mismatch")                                                               \
    X(CLOSED, "connection closed")                                                                 \
    X(NOSPACE, "no space left on device")                                                          \
    /* decode: Mode S / ADS-B */                                                                   \
    X(CRC, "CRC check failed")                                                                     \
    X(DF, "unknown downlink format")                                                               \
    X(CPR, "position could not be resolved")                                                       \
    X(IMPLAUSIBLE, "implausible value rejected")                                                   \
    /* decode: AIS */                                                                              \
    X(FRAGMENT, "AIS fragment out of sequence")                                                    \
    X(PAYLOAD, "AIS payload invalid")                                                              \
    /* decode: ASTERIX */                                                                          \
    X(CATEGORY, "ASTERIX category not supported")                                                  \
    X(ITEM, "ASTERIX item could not be parsed")                                                    \
    /* hotline */                                                                                  \
    X(SIGNATURE, "signature invalid")                                                              \
    X(REPLAY, "replayed or duplicate message")                                                     \
    X(SEQUENCE, "sequence number out of order")                                                    \
    X(CHAIN, "hash chain broken")                                                                  \
    X(AUTH, "peer not authenticated")                                                              \
    X(ROSTER, "centre not on the roster")                                                          \
    X(MSGTYPE, "unknown message type")                                                             \
    X(FIELD, "unknown or invalid message field")                                                   \
    X(DB, "journal database error")

/* Indices 1..n, used only to number the codes below. */
enum cairn_err_index {
    CAIRN_E__ZERO_IDX = 0,
#define CAIRN_X_IDX(name, msg) CAIRN_E_##name##_IDX,
    CAIRN_ERRORS(CAIRN_X_IDX)
#undef CAIRN_X_IDX
        CAIRN_E__COUNT_IDX
};

/* The codes: CAIRN_OK = 0, CAIRN_E_NEEDMORE = -1, CAIRN_E_INVAL = -2, ... */
enum cairn_err {
    CAIRN_OK = 0,
#define CAIRN_X_DEF(name, msg) CAIRN_E_##name = -(int)CAIRN_E_##name##_IDX,
    CAIRN_ERRORS(CAIRN_X_DEF)
#undef CAIRN_X_DEF
};

/* A static, human-readable message for a code (0 or negative). Never NULL. */
const char *cairn_strerror(int err);
/* The code's symbolic name, e.g. "CRC" for CAIRN_E_CRC. Never NULL. */
const char *cairn_errname(int err);

#endif
