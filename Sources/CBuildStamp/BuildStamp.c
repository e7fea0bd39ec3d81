#include "CBuildStamp.h"

/*
 * A writable array, so the compiler cannot fold its contents: scripts/dist/stamp.py finds the
 * marker (exactly once in the binary) and writes the commit after it, NUL-terminated, within
 * the array. Keep the marker and the size in step with that script.
 */
char mlrepro_build_stamp[128] = "MLREPRO_BUILD_STAMP:";

const char *mlrepro_build_commit(void) {
    return mlrepro_build_stamp + sizeof("MLREPRO_BUILD_STAMP:") - 1;
}
