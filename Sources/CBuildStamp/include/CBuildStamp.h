#ifndef MLREPRO_CBUILDSTAMP_H
#define MLREPRO_CBUILDSTAMP_H

/*
 * The commit a distributed binary was built from, written into the linked binary after the
 * build (scripts/dist/stamp.py) rather than compiled in: a compile-time value would change the
 * flags of every module and rebuild all of them at each commit. Empty in a binary that was not
 * stamped (a plain `swift build`).
 */
const char *mlrepro_build_commit(void);

#endif
