/*
 * accounts.h — the local accounts file of the web console. Internal to
 * src/web.
 *
 * Format: one account per line, "NAME:HASH", NAME 1..32 characters of
 * [A-Za-z0-9._-], HASH a libsodium crypto_pwhash_str string of Argon2id
 * ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"; web_passwd_line makes the
 * line). Empty lines and lines starting with '#' are ignored. The file must
 * not be readable or writable by group or others (mode 0600): it holds
 * password hashes, which are open to offline guessing.
 */
#ifndef CAIRN_WEB_ACCOUNTS_H
#define CAIRN_WEB_ACCOUNTS_H

#include <stddef.h>

#define WEB_HASH_MAX     128 /* crypto_pwhash_STRBYTES */
#define WEB_MAX_ACCOUNTS 4096

struct web_account {
    char user[33];
    char hash[WEB_HASH_MAX];
};

struct web_accounts {
    struct web_account *v;
    size_t n;
};

/* Read path into *out (replacing nothing on failure). 0, CAIRN_E_IO
 * (cannot read, or permissions too open: logged), CAIRN_E_FORMAT (a bad
 * line: logged with its number), CAIRN_E_TOOBIG, CAIRN_E_NOMEM. */
int web_accounts_load(const char *path, struct web_accounts *out);
/* Parse the text of a file (no permission check): the same results. */
int web_accounts_parse(const char *text, size_t len, struct web_accounts *out);
void web_accounts_free(struct web_accounts *a);
/* The account of user, or NULL. */
const struct web_account *web_accounts_find(const struct web_accounts *a, const char *user);

#endif
