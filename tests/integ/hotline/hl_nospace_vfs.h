/*
 * hl_nospace_vfs.h — fault injection for the hotline integration tests: a
 * full disk on demand, in the test daemon binary (cairn_hl), never in the
 * production one.
 *
 * After hl_nospace_vfs_register(), every SQLite database the process opens
 * goes through a VFS that fails with SQLITE_FULL any write growing a file
 * while the file "<database path>.nospace" exists (create it to fill the
 * disk, remove it to give space back). SQLITE_FULL is what SQLite reports
 * for a full file system, and the journal maps it to CAIRN_E_NOSPACE.
 */
#ifndef CAIRN_TESTS_HL_NOSPACE_VFS_H
#define CAIRN_TESTS_HL_NOSPACE_VFS_H

/* Register the VFS as the default one, before any database is opened.
 * 0 or -1. */
int hl_nospace_vfs_register(void);

#endif
