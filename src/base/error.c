/* error.c — messages and names for the codes of error.h. */
#include "base/error.h"

static const char *const err_msg[] = {"success",
#define CAIRN_X_MSG(name, msg) msg,
                                      CAIRN_ERRORS(CAIRN_X_MSG)
#undef CAIRN_X_MSG
};

static const char *const err_name[] = {"OK",
#define CAIRN_X_NAME(name, msg) #name,
                                       CAIRN_ERRORS(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

#define N_ERR (sizeof err_msg / sizeof err_msg[0])

const char *cairn_strerror(int err)
{
    unsigned idx = err <= 0 ? (unsigned)(-(long)err) : N_ERR;
    return idx < N_ERR ? err_msg[idx] : "unknown error";
}

const char *cairn_errname(int err)
{
    unsigned idx = err <= 0 ? (unsigned)(-(long)err) : N_ERR;
    return idx < N_ERR ? err_name[idx] : "UNKNOWN";
}
